import Foundation
import Testing

/// A data directory and the environment that points the binary at it: the admin CLI, and `serve` outside ProviderServer.
struct ProviderData {
    var environment: [String: String]

    init(environment: [String: String]) { self.environment = environment }

    init(dataDirectory: String, settings: [String: String] = [:]) {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OAUTH1_") }
        environment["OAUTH1_DATA_DIR"] = dataDirectory
        environment["OAUTH1_INSECURE_TRANSPORT"] = "true"
        for (key, value) in settings { environment[key] = value }
        self.environment = environment
    }

    /// Runs an admin command (of `binary`, by default the one under test).
    @discardableResult
    func cli(_ arguments: [String], stdin: String? = nil, binary: String = ProcessRunner.binary) throws -> ProcessResult {
        try ProcessRunner.run(binary, arguments, environment: environment, stdin: stdin, timeout: 60)
    }

    /// Creates a user through the CLI.
    func addUser(_ username: String, password: String) throws {
        let result = try cli(["user", "add", "--username", username, "--password-stdin"], stdin: password + "\n")
        #expect(result.status == 0, "user add: \(result.stderr)")
    }

    /// Registers a client through the CLI and returns its identifier and secret.
    func addClient(name: String, extra: [String] = []) throws -> (id: String, secret: String) {
        let result = try cli(["client", "add", "--name", name, "--json"] + extra)
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
              let id = object["client_id"] as? String, let secret = object["client_secret"] as? String else {
            throw ServerError("client add failed: \(result.stdout) \(result.stderr)")
        }
        return (id, secret)
    }

    /// Starts `oauth1-fcgi serve` listening on `address` (`unix:PATH` or `HOST:PORT`); stop it with SIGTERM.
    func serve(listen address: String, log: String, extra: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessRunner.binary)
        process.arguments = ["serve", "--listen", address, "--workers", "2"] + extra
        process.environment = environment
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }
}

extension Process {
    /// SIGTERM, then SIGKILL after `grace` seconds; waits for the exit.
    func terminateGracefully(grace: TimeInterval = 20) {
        guard isRunning else { return }
        kill(processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(20_000) }
        if isRunning { kill(processIdentifier, SIGKILL) }
        waitForExit()
    }
}
