import Foundation
import Glibc

/// A real Apache for one test: apache/server.conf.in around one snippet of apache/ (scripts/apache-config.sh), its own
/// prefix, pid file and loopback port, run in the foreground as our child. As root its workers run as www-data, so
/// whatever they must reach is handed over with `handOver`.
final class ApacheServer: @unchecked Sendable {
    let prefix: String
    let port: Int
    let origin: String
    private var process: Process?

    /// A world-readable scratch directory (Apache's workers must traverse it).
    static func makeRoot() -> String {
        let root = ProviderServer.makeTemporaryDirectory("oauth1-apache")
        chmod(root, 0o755)
        return root
    }

    /// Gives a path to the user Apache's workers run as (www-data when the tests run as root).
    static func handOver(_ path: String) throws {
        guard geteuid() == 0 else { return }
        let result = try ProcessRunner.run("/bin/chown", ["-R", "www-data:www-data", path])
        guard result.status == 0 else { throw ServerError("chown \(path): \(result.stderr)") }
    }

    /// Writes the snippet, builds the configuration around it and starts Apache; `htdocs` may be filled before `start()`.
    /// `documentRoot` (default `htdocs`) is the site's document root, such as a shared-hosting account's public_html.
    init(root: String, snippet: String, documentRoot: String? = nil) throws {
        prefix = root + "/apache"
        port = try ProviderServer.freePort()
        origin = "http://127.0.0.1:\(port)"
        htdocs = documentRoot ?? prefix + "/htdocs"
        try FileManager.default.createDirectory(atPath: htdocs, withIntermediateDirectories: true)
        try snippet.write(toFile: root + "/snippet.conf", atomically: true, encoding: .utf8)
        let config = try ProcessRunner.run("/bin/bash", [ProcessRunner.repository.appendingPathComponent("scripts/apache-config.sh").path,
                                                         prefix, String(port), root + "/snippet.conf", htdocs])
        guard config.status == 0 else { throw ServerError("apache config: \(config.stderr)") }
    }

    /// The document root.
    let htdocs: String
    var errorLog: String { (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? "" }

    /// Starts Apache in the foreground with an empty signal mask (the test runner's children inherit a blocked SIGTERM).
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                             "/usr/sbin/apache2", "-f", prefix + "/apache2.conf", "-DFOREGROUND"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if (try? HTTP.get(origin + "/")) != nil { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        throw ServerError("apache did not start: \(errorLog)")
    }

    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitForExit()
        self.process = nil
    }

    deinit { stop() }
}
