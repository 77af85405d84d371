import Foundation
import Glibc
import Testing

/// A real deployment for one test: `oauth1-fcgi serve` on a unix socket in a fresh directory, and an nginx of its own
/// (own prefix, config, pid file, loopback port) built from nginx/oauth1-fcgi.conf by scripts/nginx-config.sh.
final class ProviderServer: @unchecked Sendable {
    let root: String
    let dataDirectory: String
    let socket: String
    let port: Int
    let base: String
    private(set) var supervisor: Process?
    private var nginx: Process?
    let environment: [String: String]
    private let workers: Int
    private let maxRequests: Int
    private let socketActivated: Bool

    /// - Parameter extraLocations: nginx configuration put in the server block after nginx/protect-upstream.conf; `@ROOT@`
    ///   in it becomes this server's directory.
    /// - Parameter socketActivated: `serve` without --listen under systemd-socket-activate, which binds the socket and
    ///   starts `serve` on the first connection, as systemd does with oauth1-fcgi.socket.
    init(workers: Int = 2, maxRequests: Int = 10_000, settings: [String: String] = [:], extraLocations: String? = nil,
         socketActivated: Bool = false) throws {
        root = Self.makeTemporaryDirectory("oauth1-e2e")
        dataDirectory = root + "/data"
        socket = root + "/oauth1-fcgi.sock"
        port = try Self.freePort()
        base = "http://127.0.0.1:\(port)/oauth"
        self.workers = workers
        self.maxRequests = maxRequests
        self.socketActivated = socketActivated
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OAUTH1_") }
        environment["OAUTH1_DATA_DIR"] = dataDirectory
        environment["OAUTH1_INSECURE_TRANSPORT"] = "true"
        environment["OAUTH1_SUPPORTED_SIGNATURE_METHODS"] = "HMAC-SHA1,RSA-SHA1,PLAINTEXT,HMAC-SHA256"
        for (key, value) in settings { environment[key] = value }
        self.environment = environment
        if let extraLocations {
            try FileManager.default.createDirectory(atPath: root + "/nginx", withIntermediateDirectories: true)
            try extraLocations.replacingOccurrences(of: "@ROOT@", with: root).write(toFile: root + "/extra.conf", atomically: true, encoding: .utf8)
        }
        try startSupervisor()
        try startNginx()
        try waitUntilHealthy()
    }

    deinit { stop() }

    /// Runs an admin command against this server's data directory.
    @discardableResult
    func cli(_ arguments: [String], stdin: String? = nil) throws -> ProcessResult {
        try ProcessRunner.run(ProcessRunner.binary, arguments, environment: environment, stdin: stdin, timeout: 60)
    }

    /// Creates a user through the CLI.
    func addUser(_ username: String, password: String) throws {
        try ProviderData(environment: environment).addUser(username, password: password)
    }

    /// Registers a client through the CLI and returns its identifier and secret.
    func addClient(name: String, extra: [String] = []) throws -> (id: String, secret: String) {
        try ProviderData(environment: environment).addClient(name: name, extra: extra)
    }

    func startSupervisor() throws {
        let process = Process()
        let serve = ["serve", "--workers", String(workers), "--max-requests", String(maxRequests)]
        if socketActivated {
            // systemd-socket-activate passes the launched program only the variables named with --setenv.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
            process.arguments = ["--listen=" + socket] + environment.sorted { $0.key < $1.key }.map { "--setenv=\($0.key)=\($0.value)" }
                + [ProcessRunner.binary] + serve
        } else {
            process.executableURL = URL(fileURLWithPath: ProcessRunner.binary)
            process.arguments = serve + ["--listen", "unix:" + socket]
        }
        process.environment = environment
        if !FileManager.default.fileExists(atPath: supervisorLogPath) {
            FileManager.default.createFile(atPath: supervisorLogPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: supervisorLogPath))
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        supervisor = process
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: socket) {
            guard Date() < deadline, process.isRunning else { throw ServerError("supervisor did not start: \(supervisorLog)") }
            usleep(20_000)
        }
    }

    /// Sends SIGTERM to the supervisor and waits for it to exit.
    func stopSupervisor() {
        supervisor?.terminateGracefully(grace: 40)
    }

    /// Starts nginx in the foreground (`daemon off`) as our own child, so stopping and reaping it is ours to do.
    private func startNginx() throws {
        let prefix = root + "/nginx"
        var arguments = [ProcessRunner.repository.appendingPathComponent("scripts/nginx-config.sh").path, prefix, String(port), socket]
        if FileManager.default.fileExists(atPath: root + "/extra.conf") { arguments.append(root + "/extra.conf") }
        let config = try ProcessRunner.run("/bin/bash", arguments)
        guard config.status == 0 else { throw ServerError("nginx config: \(config.stderr)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log", "-g", "daemon off;"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        nginx = process
    }

    private func waitUntilHealthy() throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let (status, _) = try? HTTP.get(base + "/health"), status == 200 { return }
            usleep(50_000)
        }
        throw ServerError("the provider did not become healthy: \(supervisorLog) \(nginxErrorLog)")
    }

    func stop() {
        stopSupervisor()
        if let nginx, nginx.isRunning {
            kill(nginx.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while nginx.isRunning && Date() < deadline { usleep(20_000) }
            if nginx.isRunning { kill(nginx.processIdentifier, SIGKILL) }
            nginx.waitForExit()
        }
        nginx = nil
        if ProcessInfo.processInfo.environment["OAUTH1_KEEP_TEST_DIRS"] == nil {
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    var supervisorLogPath: String { root + "/supervisor.log" }
    var supervisorLog: String { (try? String(contentsOfFile: supervisorLogPath, encoding: .utf8)) ?? "" }
    var nginxErrorLog: String { (try? String(contentsOfFile: root + "/nginx/error.log", encoding: .utf8)) ?? "" }

    /// The worker processes the supervisor currently runs.
    func workerPIDs() -> [Int32] {
        guard let supervisor else { return [] }
        let pid = supervisor.processIdentifier
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0) }
    }

    /// A new directory under the system's temporary directory, mode 0700 (mkdtemp).
    static func makeTemporaryDirectory(_ prefix: String) -> String {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return made.map { String(cString: $0) } ?? NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString)"
    }

    static func freePort() throws -> Int {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw ServerError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Minimal HTTP/1.1 over a loopback TCP socket, for probes that need no OAuth signing (health, raw bad requests).
enum HTTP {
    /// Sends raw request bytes to 127.0.0.1:port and returns the status code and the whole response text.
    static func raw(port: Int, _ request: [UInt8], timeout: Int = 20) throws -> (Int, String) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerError("socket failed") }
        defer { close(descriptor) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ServerError("connect failed") }
        var offset = 0
        while offset < request.count {
            let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { break }
            offset += sent
        }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, text)
    }

    static func get(_ url: String, headers: [String] = []) throws -> (Int, String) {
        guard let parsed = URL(string: url), let port = parsed.port else { throw ServerError("bad url \(url)") }
        let target = parsed.path + (parsed.query.map { "?" + $0 } ?? "")
        let request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
        return try raw(port: port, Array(request.utf8))
    }
}
