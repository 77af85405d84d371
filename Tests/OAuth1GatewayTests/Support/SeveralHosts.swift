import Foundation
import ProviderStorage
import Glibc
import Testing
import TestServers

/// Provider hosts sharing one PostgreSQL database (and Redis, when given) behind one nginx: each host is an
/// `oauth1-fcgi serve` with its own data directory and socket, and nginx balances over them with the upstream block of
/// nginx/several-hosts.conf. nginx runs one worker, so round robin alternates strictly, and its `hosts.log` names the
/// host that answered each request.
final class SeveralHosts: @unchecked Sendable {
    /// One `oauth1-fcgi serve` and its files.
    final class Host: @unchecked Sendable {
        let dataDirectory: String
        let socket: String
        let environment: [String: String]
        let log: String
        var supervisor: Process?

        init(root: String, index: Int, settings: [String: String]) {
            dataDirectory = root + "/host\(index)"
            socket = root + "/host\(index).sock"
            log = root + "/host\(index).log"
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OAUTH1_") }
            environment["OAUTH1_DATA_DIR"] = dataDirectory
            environment["OAUTH1_INSECURE_TRANSPORT"] = "true"
            for (key, value) in settings { environment[key] = value }
            self.environment = environment
        }

        func start(workers: Int) throws {
            FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            handle.seekToEndOfFile()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ProcessRunner.binary)
            process.arguments = ["serve", "--listen", "unix:" + socket, "--workers", String(workers)]
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            supervisor = process
            let deadline = Date().addingTimeInterval(30)
            while !FileManager.default.fileExists(atPath: socket) {
                guard Date() < deadline, process.isRunning else { throw ServerError("host did not start: \(logText)") }
                usleep(20_000)
            }
        }

        var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// The supervisor's worker processes now.
        var workerPIDs: [Int32] {
            guard let pid = supervisor?.processIdentifier else { return [] }
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            return text.split(separator: " ").compactMap { Int32($0) }
        }
    }

    let root: String
    let port: Int
    let base: String
    let hosts: [Host]
    let databaseURL: String
    private var nginx: Process?

    /// Starts `count` hosts with `workers` workers each on `databaseURL` (and `redisURL`), then nginx in front.
    /// `secretsKeyFile` names the site's key file (a copied site's); without one the site gets a new key.
    init(databaseURL: String, redisURL: String?, count: Int = 2, workers: Int = 2, settings: [String: String] = [:],
         secretsKeyFile: String? = nil) throws {
        root = ProviderServer.makeTemporaryDirectory("oauth1-hosts")
        port = try ProviderServer.freePort()
        base = "http://127.0.0.1:\(port)/oauth"
        self.databaseURL = databaseURL
        var shared = settings
        shared["OAUTH1_DATABASE_URL"] = databaseURL
        // One secrets key for the site, as an operator gives every host a copy of the file.
        shared["OAUTH1_SECRETS_KEY_FILE"] = secretsKeyFile ?? root + "/secrets.key"
        if secretsKeyFile == nil { try SecretsKeyFile.create(root + "/secrets.key") }
        if let redisURL { shared["OAUTH1_REDIS_URL"] = redisURL }
        shared["OAUTH1_SUPPORTED_SIGNATURE_METHODS"] = shared["OAUTH1_SUPPORTED_SIGNATURE_METHODS"] ?? "HMAC-SHA1,PLAINTEXT"
        let root = root
        hosts = (0..<count).map { Host(root: root, index: $0, settings: shared) }
        for host in hosts { try host.start(workers: workers) }
        try startNginx()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let (status, _) = try? HTTP.get(base + "/health"), status == 200 { return }
            usleep(50_000)
        }
        throw ServerError("the hosts did not become healthy: \(hosts.map(\.logText))")
    }

    deinit { stop() }

    /// Runs an admin command with a host's settings (it acts on the shared database).
    @discardableResult
    func cli(_ arguments: [String], host: Int = 0, stdin: String? = nil) throws -> ProcessResult {
        try ProcessRunner.run(ProcessRunner.binary, arguments, environment: hosts[host].environment, stdin: stdin, timeout: 60)
    }

    /// Creates alice (alice-password) and registers a client; returns the client's credentials.
    func seed(clientName: String = "Printer") throws -> (id: String, secret: String) {
        try ProviderData(environment: hosts[0].environment).addUser("alice", password: "alice-password")
        return try ProviderData(environment: hosts[1 % hosts.count].environment).addClient(name: clientName)
    }

    private func startNginx() throws {
        let prefix = root + "/nginx"
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        let repository = ProcessRunner.repository
        let snippet = try String(contentsOf: repository.appendingPathComponent("nginx/oauth1-fcgi.conf"), encoding: .utf8)
        let pass = "fastcgi_pass unix:/run/oauth1-fcgi/oauth1-fcgi.sock;"
        try #require(snippet.contains(pass), "nginx/oauth1-fcgi.conf no longer passes to the default socket")
        try snippet.replacingOccurrences(of: pass, with: "fastcgi_pass oauth1_fcgi_hosts;")
            .write(toFile: prefix + "/oauth1-fcgi.conf", atomically: true, encoding: .utf8)
        // The shipped upstream block, with its example servers replaced by this test's hosts.
        let upstream = try String(contentsOf: repository.appendingPathComponent("nginx/several-hosts.conf"), encoding: .utf8)
        let servers = hosts.map { "    server unix:\($0.socket) max_fails=1 fail_timeout=5s;" }.joined(separator: "\n")
        let lines = upstream.split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("server 10.0.0.") }
        try #require(kept.count == lines.count - 2, "nginx/several-hosts.conf changed shape")
        try kept.joined(separator: "\n").replacingOccurrences(of: "upstream oauth1_fcgi_hosts {", with: "upstream oauth1_fcgi_hosts {\n" + servers)
            .write(toFile: prefix + "/several-hosts.conf", atomically: true, encoding: .utf8)
        let user = geteuid() == 0 ? "user root root;" : ""
        let configuration = """
            \(user)
            worker_processes 1;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/error.log info;
            events { worker_connections 256; }
            http {
                log_format hosts '$request_method $uri $status $upstream_addr';
                access_log \(prefix)/hosts.log hosts;
                client_body_temp_path \(prefix)/client_body;
                proxy_temp_path \(prefix)/proxy;
                fastcgi_temp_path \(prefix)/fastcgi;
                uwsgi_temp_path \(prefix)/uwsgi;
                scgi_temp_path \(prefix)/scgi;
                include \(prefix)/several-hosts.conf;
                server {
                    listen 127.0.0.1:\(port);
                    include \(prefix)/oauth1-fcgi.conf;
                }
            }
            """
        try configuration.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log", "-g", "daemon off;"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        nginx = process
    }

    /// What nginx logged: each request's method, path, status and the host socket that answered, in order.
    var requests: [(method: String, path: String, status: Int, host: Int?)] {
        let text = (try? String(contentsOfFile: root + "/nginx/hosts.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 4, let status = Int(fields[2]) else { return nil }
            let address = String(fields[3])
            return (String(fields[0]), String(fields[1]), status, hosts.firstIndex { address == "unix:" + $0.socket })
        }
    }

    func stop() {
        for host in hosts {
            host.supervisor?.terminateGracefully(grace: 30)
            host.supervisor = nil
        }
        if let nginx, nginx.isRunning {
            kill(nginx.processIdentifier, SIGTERM)
            nginx.waitForExit()
        }
        nginx = nil
        if ProcessInfo.processInfo.environment["OAUTH1_KEEP_TEST_DIRS"] == nil {
            try? FileManager.default.removeItem(atPath: root)
        }
    }
}

/// What `concurrent_load.py` printed.
struct LoadResult: Decodable {
    let statuses: [String: Int]
    let unexpected: [[Status]]
    let bodies: [String]

    /// A status or a body in `unexpected`'s pairs.
    enum Status: Decodable, CustomStringConvertible {
        case code(Int), text(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let code = try? container.decode(Int.self) { self = .code(code) } else { self = .text(try container.decode(String.self)) }
        }
        var description: String { switch self { case .code(let code): String(code); case .text(let text): text } }
    }

    func count(_ status: Int) -> Int { statuses[String(status)] ?? 0 }
    var total: Int { statuses.values.reduce(0, +) }

    /// Runs concurrent_load.py with these arguments against `url`, signed with the client's and the token's credentials.
    static func run(url: String, client: (id: String, secret: String), token: (String, String), _ arguments: [String],
                    timeout: TimeInterval = 120) throws -> LoadResult {
        let script = ClientScripts.directory.appendingPathComponent("concurrent_load.py").path
        let result = try ProcessRunner.run("/usr/bin/python3", [script, "--url", url, "--client-key", client.id, "--client-secret", client.secret,
                                                                "--token", token.0, "--token-secret", token.1] + arguments, timeout: timeout)
        try #require(result.status == 0, "concurrent_load.py: \(result.stderr)")
        return try JSONDecoder().decode(LoadResult.self, from: Data((result.stdout.split(separator: "\n").last ?? "").utf8))
    }
}
