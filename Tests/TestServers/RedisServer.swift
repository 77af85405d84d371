import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway redis-server, a child of this process listening only on a unix socket in its temporary directory, with
/// no persistence; killed and removed when this process ends.
public final class RedisServer: Sendable {
    /// The directory with the socket, the pid file and the log.
    public let directory: String
    /// The unix socket.
    public let socketPath: String
    /// How many databases the server has (`?db=` from 0 below this).
    public static let databaseCount = 256
    private let child = Child()
    private let databaseCounter = Atomic<Int>(0)

    private static let sharedServer = Result { try RedisServer() }

    /// The process's one shared server, started on first use; tests keep apart by database number or key prefix.
    public static var shared: RedisServer {
        get throws { try sharedServer.get() }
    }

    /// Creates the directory and starts the server.
    public init() throws {
        directory = ServerProcess.makeTemporaryDirectory(prefix: "oauth1-redis")
        socketPath = directory + "/redis.sock"
        ServerProcess.watchdog(cleanup: "/usr/bin/redis-cli -s \(ServerProcess.quoted(socketPath)) shutdown nosave >/dev/null 2>&1; "
                               + "kill -9 $(cat \(ServerProcess.quoted(directory + "/redis.pid")) 2>/dev/null) 2>/dev/null; "
                               + "rm -rf \(ServerProcess.quoted(directory))")
        let (directory, child) = (self.directory, self.child)
        ServerProcess.atExit {
            child.stop(signal: SIGKILL)
            try? FileManager.default.removeItem(atPath: directory)
        }
        try start()
    }

    deinit {
        child.stop(signal: SIGKILL)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The URL of one of its databases: `unix://<socket>?db=N`.
    public func url(database: Int = 0) -> String { "unix://\(socketPath)?db=\(database)" }

    /// A database number no other call in this process gets (cycling after `databaseCount`).
    public func claimDatabase() -> Int {
        databaseCounter.add(1, ordering: .relaxed).oldValue % Self.databaseCount
    }

    /// The server's process id, or nil when stopped.
    public var pid: pid_t? { child.isRunning ? child.pid.withLock { $0 } : nil }

    /// Starts the server on the same socket and returns once it answers PING.
    public func start() throws {
        try child.pid.withLock { pid in
            guard pid == nil else { throw TestServerError("redis-server is already running on \(socketPath)") }
            pid = try ServerProcess.spawn("/usr/bin/redis-server",
                                          ["--port", "0", "--unixsocket", socketPath, "--unixsocketperm", "700", "--save", "",
                                           "--appendonly", "no", "--dir", directory, "--pidfile", directory + "/redis.pid",
                                           "--daemonize", "no", "--databases", String(Self.databaseCount),
                                           "--logfile", directory + "/redis.log"])
        }
        let answered = ServerProcess.wait(seconds: 20) { (try? cli("ping")) == "PONG" || !child.isRunning }
        guard answered, child.isRunning else {
            let log = (try? String(contentsOfFile: directory + "/redis.log", encoding: .utf8)) ?? ""
            child.stop(signal: SIGKILL)
            throw TestServerError("redis-server did not answer on \(socketPath); redis.log ends: \(log.suffix(2000))")
        }
    }

    /// Stops the server by its process id (SIGKILL unless told otherwise) and waits until it has exited.
    public func stop(signal: Int32 = SIGKILL) { child.stop(signal: signal) }

    /// Runs redis-cli against the server and returns its trimmed output.
    @discardableResult
    public func cli(_ arguments: String...) throws -> String {
        try ServerProcess.check("/usr/bin/redis-cli", ["-s", socketPath] + arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The running redis-server process, shared with the exit hook.
private final class Child: Sendable {
    let pid = Mutex<pid_t?>(nil)

    /// Whether the process is still running (reaping it if it has exited).
    var isRunning: Bool {
        pid.withLock { pid in
            guard let running = pid else { return false }
            var status: Int32 = 0
            if waitpid(running, &status, WNOHANG) == running {
                pid = nil
                return false
            }
            return true
        }
    }

    /// Signals the process by its id and waits until it has exited.
    func stop(signal: Int32) {
        pid.withLock { pid in
            guard let running = pid else { return }
            kill(running, signal)
            ServerProcess.waitForExit(running)
            pid = nil
        }
    }
}
