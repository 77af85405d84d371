import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster of its own, reachable only on a unix socket in its temporary directory: created with
/// initdb, run by pg_ctl (as the `postgres` user when the tests run as root), and removed when this process ends.
public final class PostgreSQLServer: Sendable {
    /// How `stop(mode:)` shuts the server down (pg_ctl's `-m`).
    public enum StopMode: String, Sendable {
        /// Kills every backend at once, as a crash would; the next start recovers.
        case immediate
        /// Ends the sessions and shuts down cleanly.
        case fast
    }

    /// The role every test connects as, a superuser with trust authentication.
    public static let user = "oauth1test"
    /// The directory with the socket, the data directory and the log.
    public let directory: String
    /// The cluster's data directory.
    public let dataDirectory: String
    /// The directory holding the unix socket (the URL's `host`).
    public let socketDirectory: String
    /// The port, which only names the socket file: the server listens on no TCP address.
    public let port: Int
    /// Where the PostgreSQL binaries are (the highest version under /usr/lib/postgresql).
    public let binDirectory: String
    private let runsAsPostgresUser: Bool
    private let databaseCounter = Atomic<Int>(0)

    private static let sharedServer = Result { try PostgreSQLServer() }

    /// The process's one shared server, started on first use; each test creates its own database on it.
    public static var shared: PostgreSQLServer {
        get throws { try sharedServer.get() }
    }

    /// Creates a cluster in a fresh temporary directory and starts it.
    public init() throws {
        binDirectory = try Self.findBinDirectory()
        directory = ServerProcess.makeTemporaryDirectory(prefix: "oauth1-pg")
        dataDirectory = directory + "/data"
        socketDirectory = directory
        port = Int.random(in: 20_000..<60_000)
        runsAsPostgresUser = geteuid() == 0
        if runsAsPostgresUser {
            guard let account = getpwnam("postgres") else {
                throw TestServerError("running as root, PostgreSQL needs the postgres user the postgresql package creates")
            }
            guard chown(directory, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw TestServerError("chown \(directory) to postgres failed: errno \(errno)")
            }
        }
        ServerProcess.watchdog(cleanup: Self.command(pgCtl: binDirectory + "/pg_ctl", asPostgres: runsAsPostgresUser,
                                                     ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "20"])
                                   .map(ServerProcess.quoted).joined(separator: " ")
                                   + " >/dev/null 2>&1; rm -rf " + ServerProcess.quoted(directory))
        let (dataDirectory, directory) = (self.dataDirectory, self.directory)
        ServerProcess.atExit { Self.shutDown(dataDirectory: dataDirectory, directory: directory) }

        try runAsServerUser("initdb", ["-D", dataDirectory, "-A", "trust", "-U", Self.user, "--no-sync", "-E", "UTF8",
                                       "--locale=C", "--no-instructions"])
        let settings = """

            listen_addresses = ''
            unix_socket_directories = '\(socketDirectory)'
            port = \(port)
            fsync = off
            full_page_writes = off
            max_connections = 150
            shared_buffers = 16MB

            """
        let configuration = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        try configuration.seekToEnd()
        try configuration.write(contentsOf: Data(settings.utf8))
        try configuration.close()
        try start()
    }

    deinit { Self.shutDown(dataDirectory: dataDirectory, directory: directory) }

    /// The libpq URI of a database on this server: `postgresql://oauth1test@/<db>?host=<socket directory>&port=<port>`.
    public func url(database: String) -> String {
        "postgresql://\(Self.user)@/\(database)?host=\(socketDirectory)&port=\(port)"
    }

    /// Creates an empty database.
    public func createDatabase(_ name: String) throws {
        try psql("CREATE DATABASE \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"")
    }

    /// Creates an empty database with a name no other call in this process gets, and returns the name.
    public func createUniqueDatabase(prefix: String = "test") throws -> String {
        let name = "\(prefix)_\(getpid())_\(databaseCounter.add(1, ordering: .relaxed).newValue)"
        try createDatabase(name)
        return name
    }

    /// Runs SQL with psql (no psqlrc, stopping at the first error) and returns its unaligned, tuples-only output.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try ServerProcess.check(binDirectory + "/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory,
                                                         "-p", String(port), "-U", Self.user, "-d", database, "-c", sql],
                                environment: Self.clientEnvironment)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A plain-text dump of a database (pg_dump), as a backup would hold it.
    public func dump(database: String) throws -> String {
        try ServerProcess.check(binDirectory + "/pg_dump", ["-h", socketDirectory, "-p", String(port), "-U", Self.user, database],
                                environment: Self.clientEnvironment)
    }

    /// Stops the server (pg_ctl stop); the data directory stays for `start()`.
    public func stop(mode: StopMode = .fast) throws {
        try runAsServerUser("pg_ctl", ["stop", "-D", dataDirectory, "-m", mode.rawValue, "-w", "-t", "60"])
    }

    /// Starts the server on its data directory, on the same socket, and returns once it accepts connections.
    public func start() throws {
        do {
            try runAsServerUser("pg_ctl", ["start", "-D", dataDirectory, "-l", directory + "/postgres.log", "-w", "-t", "60"])
        } catch {
            let log = (try? String(contentsOfFile: directory + "/postgres.log", encoding: .utf8)) ?? ""
            throw TestServerError("\(error); postgres.log ends: \(log.suffix(2000))")
        }
    }

    /// The postmaster's process id, or nil when the server is not running.
    public var pid: pid_t? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first, let pid = pid_t(first), ServerProcess.isAlive(pid) else { return nil }
        return pid
    }

    /// Environment for the client programs: no PG* variables of the caller's.
    private static let clientEnvironment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["PGCONNECT_TIMEOUT"] = "10"
        return environment
    }()

    private func runAsServerUser(_ program: String, _ arguments: [String]) throws {
        let command = Self.command(pgCtl: binDirectory + "/" + program, asPostgres: runsAsPostgresUser, arguments)
        try ServerProcess.check(command[0], Array(command.dropFirst()), environment: Self.clientEnvironment)
    }

    private static func command(pgCtl program: String, asPostgres: Bool, _ arguments: [String]) -> [String] {
        (asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [program] + arguments
    }

    /// Stops the postmaster by its id (SIGQUIT, an immediate shutdown; SIGKILL after 10 s) and removes the directory.
    private static func shutDown(dataDirectory: String, directory: String) {
        if let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
           let first = text.split(separator: "\n").first, let pid = pid_t(first), ServerProcess.isAlive(pid) {
            kill(pid, SIGQUIT)
            if !ServerProcess.wait(seconds: 10, until: { !ServerProcess.isAlive(pid) }) { kill(pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func findBinDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { name in Int(name).map { ($0, root + "/" + name + "/bin") } }
            .filter { FileManager.default.isExecutableFile(atPath: $0.1 + "/initdb") }
            .sorted { $0.0 > $1.0 }
        guard let highest = versions.first else {
            throw TestServerError("no PostgreSQL server under \(root)/*/bin; install the postgresql package (make deps-test)")
        }
        return highest.1
    }
}
