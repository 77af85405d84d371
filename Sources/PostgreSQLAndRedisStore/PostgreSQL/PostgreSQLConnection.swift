import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection with its prepared statements, each SQL text prepared once per connection. Not thread-safe by
/// itself: `PostgreSQLDatabase` hands it to one caller at a time. Values always travel as text parameters of prepared
/// statements, never spliced into SQL.
final class PostgreSQLConnection {
    private let handle: OpaquePointer
    private let libpq: LibPQ
    /// The database, its password left out, for error messages.
    let location: String
    /// The process that opened the connection: a forked child must not use or finish its parent's socket.
    let processID: pid_t
    /// Prepared statement names by SQL text.
    private var statements: [String: String] = [:]
    /// Set when the server has said, unasked, that it is ending the session (a FATAL message sent before it closes).
    private let farewell = Farewell()

    /// Whether the server has announced the end of the session; read by libpq's notice receiver through a raw pointer.
    private final class Farewell {
        var received = false
    }

    /// Connects to `url` (any connection string libpq accepts), with a connect timeout unless the string sets one.
    init(url: String, location: String, libpq: LibPQ, connectTimeoutSeconds: Int = 5) throws(PostgreSQLConnectionLost) {
        // Keywords are applied in order, so the string's own connect_timeout, expanded from dbname last, wins.
        let texts: [String] = ["connect_timeout", "dbname", String(connectTimeoutSeconds), url]
        let copies: [UnsafeMutablePointer<CChar>?] = texts.map { text in strdup(text) }
        defer { for copy in copies { free(copy) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { copy in copy.map { UnsafePointer($0) } }
        let keywordPointers = [pointers[0], pointers[1], nil]
        let valuePointers = [pointers[2], pointers[3], nil]
        guard let handle = libpq.PQconnectdbParams(keywordPointers, valuePointers, 1) else {
            throw PostgreSQLConnectionLost(message: "out of memory")
        }
        guard libpq.PQstatus(handle) == CONNECTION_OK else {
            let message = Self.firstLine(libpq.PQerrorMessage(handle))
            libpq.PQfinish(handle)
            throw PostgreSQLConnectionLost(message: message)
        }
        // Notices (such as "already exists, skipping") would go to standard error, which a FastCGI server may log: they
        // are dropped. A FATAL message that arrives between statements (a restart, pg_terminate_backend) comes this way
        // too, and marks the connection as ending before its socket shows the end. The receiver is a C function, which
        // cannot capture `libpq`: it reaches the library through `LibPQ.loaded`.
        _ = libpq.PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result, case .success(let loaded) = LibPQ.loaded,
                  let severity = loaded.PQresultErrorField(result, Int32(UInt8(ascii: "V"))).map({ String(cString: $0) }),
                  severity == "FATAL" || severity == "PANIC" else { return }
            Unmanaged<Farewell>.fromOpaque(context).takeUnretainedValue().received = true
        }, Unmanaged.passUnretained(farewell).toOpaque())
        self.handle = handle
        self.libpq = libpq
        self.location = location
        processID = getpid()
    }

    /// Ends the session; in a forked child only the memory is left, since finishing would end the parent's session.
    func finish() {
        if getpid() == processID { libpq.PQfinish(handle) }
    }

    /// Reads what the server has sent unasked, without waiting, and reports whether it held any notification (of any
    /// channel this connection listens on); the notifications themselves are discarded. Throws when the connection is
    /// gone: the server closed it, or said it would.
    func takeNotifications() throws(PostgreSQLConnectionLost) -> Bool {
        guard libpq.PQconsumeInput(handle) == 1, libpq.PQstatus(handle) == CONNECTION_OK else {
            throw PostgreSQLConnectionLost(message: Self.firstLine(libpq.PQerrorMessage(handle)))
        }
        var any = false
        while let notification = libpq.PQnotifies(handle) {
            any = true
            libpq.PQfreemem(notification)
        }
        if farewell.received {
            throw PostgreSQLConnectionLost(message: "the server ended the session")
        }
        return any
    }

    /// Runs parameterless SQL, possibly several statements (a migration script, BEGIN, COMMIT).
    func execute(_ sql: String) throws {
        let result = libpq.PQexec(handle, sql)
        defer { libpq.PQclear(result) }
        try check(result)
    }

    /// Runs a statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [any PostgreSQLParameter] = []) throws -> [PostgreSQLRow] {
        try run(sql, parameters, rows)
    }

    /// Runs parameterless SQL of several statements in one round trip, unprepared, and returns the last one's rows.
    func queryScript(_ sql: String) throws -> [PostgreSQLRow] {
        let result = libpq.PQexec(handle, sql)
        defer { libpq.PQclear(result) }
        try check(result)
        guard let result else { throw PostgreSQLConnectionLost(message: "no result") }
        return rows(result)
    }

    private func rows(_ result: OpaquePointer) -> [PostgreSQLRow] {
        let rows = Int(libpq.PQntuples(result)), columns = Int(libpq.PQnfields(result))
        return (0..<rows).map { row in
            PostgreSQLRow(values: (0..<columns).map { column in
                libpq.PQgetisnull(result, Int32(row), Int32(column)) == 1 ? nil
                    : libpq.PQgetvalue(result, Int32(row), Int32(column)).map { String(cString: $0) }
            })
        }
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    func update(_ sql: String, _ parameters: [any PostgreSQLParameter] = []) throws -> Int {
        try run(sql, parameters) { result in libpq.PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0 }
    }

    private func run<T>(_ sql: String, _ parameters: [any PostgreSQLParameter], _ read: (OpaquePointer) -> T) throws -> T {
        let name = try prepared(sql)
        let values: [UnsafeMutablePointer<CChar>?] = parameters.map { parameter in
            parameter.postgreSQLText.flatMap { text in strdup(text) }
        }
        defer { for value in values { free(value) } }
        let pointers: [UnsafePointer<CChar>?] = values.map { value in value.map { UnsafePointer($0) } }
        let result = libpq.PQexecPrepared(handle, name, Int32(pointers.count), pointers, nil, nil, 0)
        defer { libpq.PQclear(result) }
        try check(result)
        guard let result else { throw PostgreSQLConnectionLost(message: "no result") }
        return read(result)
    }

    private func prepared(_ sql: String) throws -> String {
        if let name = statements[sql] { return name }
        let name = "oauth1_\(statements.count + 1)"
        let result = libpq.PQprepare(handle, name, sql, 0, nil)
        defer { libpq.PQclear(result) }
        try check(result)
        statements[sql] = name
        return name
    }

    /// Throws for a failed result: `PostgreSQLConnectionLost` when the connection is gone or the server is shutting down
    /// or cannot serve (SQLSTATE class 08, 57P01, 57P02, 57P03), `PostgreSQLError` for anything else.
    private func check(_ result: OpaquePointer?) throws {
        guard let result else { throw PostgreSQLConnectionLost(message: Self.firstLine(libpq.PQerrorMessage(handle))) }
        switch libpq.PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default: break
        }
        let sqlState = libpq.PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        let primary = libpq.PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let message = primary ?? Self.firstLine(libpq.PQresultErrorMessage(result))
        if libpq.PQstatus(handle) != CONNECTION_OK || sqlState.isEmpty || sqlState.hasPrefix("08")
            || ["57P01", "57P02", "57P03"].contains(sqlState) {
            throw PostgreSQLConnectionLost(message: message)
        }
        throw PostgreSQLError(sqlState: sqlState, message: message, location: location)
    }

    private static func firstLine(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        let line = String(cString: text).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.isEmpty ? "unknown error" : line
    }
}
