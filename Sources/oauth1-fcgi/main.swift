import ArgumentParser
import OAuth1Gateway
#if canImport(Glibc)
import Glibc
#endif

// One binary, three ways to run:
//   with arguments          the admin commands and `serve` (ArgumentParser);
//   fd 0 a listening socket FastCGI worker (spawn-fcgi, mod_fcgid, systemd, or the `serve` supervisor);
//   GATEWAY_INTERFACE set   plain CGI, one request per process.
if CommandLine.arguments.count > 1 {
    OAuth1Command.main()
    exit(0)
}

let environment = ConfigurationSource.processEnvironment()
let isFastCGI = FastCGIWorker.isStartedByFastCGI
guard isFastCGI || environment["GATEWAY_INTERFACE"] != nil else {
    OAuth1Command.main()
    exit(0)
}

let configuration: AppConfiguration
do {
    configuration = try AppConfiguration(ConfigurationSource.fromProcess())
} catch {
    Log.error("configuration: \(error)")
    if !isFastCGI {
        emit("Status: 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe provider is misconfigured; the administrator will find the reason in the server's error log.")
    }
    exit(1)
}
Log.level = configuration.logLevel
// A worker of `serve` (OAUTH1_MAX_REQUESTS set) leaves the warning to the supervisor, which gave it before forking.
if environment["OAUTH1_MAX_REQUESTS"] == nil { configuration.warnAboutUnknownKeys() }
let application = Application(configuration: configuration)
let decoder = GatewayRequestDecoder(trustedProxies: configuration.trustedProxies, maximumBodyBytes: configuration.maximumBodyBytes,
                                    configuredMountPath: configuration.mountPath)
if isFastCGI {
    let maxRequests = Int(environment["OAUTH1_MAX_REQUESTS"] ?? "") ?? 0
    exit(FastCGIWorker.run(application: application, decoder: decoder, maxRequests: maxRequests))
} else {
    exit(CGIRunner.run(application: application, decoder: decoder))
}
