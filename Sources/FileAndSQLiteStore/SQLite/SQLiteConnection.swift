import CSQLite

/// One SQLite connection with a per-connection cache of prepared statements. Not thread-safe by itself: `SQLiteDatabase` hands it to one caller at a time.
/// SQL given as `StaticString` is a constant of this module: values are bound, never spliced (prepared statements only).
public final class SQLiteConnection {
    /// The database file.
    public let path: String
    private let handle: OpaquePointer
    /// Prepared statements by their SQL text, each prepared once and reused.
    private var statements: [String: OpaquePointer] = [:]
    private let busyWait: SQLiteBusyWait
    private let checkpoints: SQLiteCheckpointPolicy
    /// SQLITE_TRANSIENT, which C spells as a cast of -1: SQLite copies a bound value before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Opens (creating if needed) the database file, with a busy timeout, foreign keys on, and a checkpoint due every
    /// `checkpointPages` WAL pages (see `SQLiteCheckpointPolicy`).
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5000, readOnly: Bool = false,
                checkpointPages: Int32 = 4000) throws(SQLiteError) {
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: status, message: message, path: path)
        }
        self.path = path
        self.handle = handle
        busyWait = SQLiteBusyWait(timeoutMilliseconds: busyTimeoutMilliseconds)
        busyWait.install(on: handle)
        checkpoints = SQLiteCheckpointPolicy(thresholdPages: checkpointPages)
        checkpoints.install(on: handle)
        sqlite3_extended_result_codes(handle, 1)
        try execute("PRAGMA foreign_keys = ON")
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs SQL text that takes no parameters and returns no rows needed, such as a pragma or a migration script.
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: status, message: text, path: path)
        }
    }

    /// Runs a passive checkpoint if the WAL has grown past the threshold since the last one; meant for after a response.
    /// A RESTART checkpoint holds the write lock while it waits for readers of older snapshots, so it waits at most
    /// 100 ms: a long read elsewhere (an admin listing) then costs the other workers' writes that long at most, and the
    /// checkpoint is simply tried again after the next 4000 pages.
    public func checkpointIfDue() {
        busyWait.limited(toMilliseconds: 100) { checkpoints.checkpointIfDue(on: handle) }
    }

    /// Runs a cached prepared statement with bound values and returns every row.
    @discardableResult
    public func query(_ sql: StaticString, _ values: [any SQLiteBindable] = []) throws(SQLiteError) -> [SQLiteRow] {
        try run(sql, values)
    }

    /// Runs a cached prepared statement and returns how many rows it changed.
    @discardableResult
    public func update(_ sql: StaticString, _ values: [any SQLiteBindable] = []) throws(SQLiteError) -> Int {
        _ = try run(sql, values)
        return Int(sqlite3_changes(handle))
    }

    /// Runs `body` inside `BEGIN IMMEDIATE ... COMMIT`, so the write lock is taken up front and the work commits or rolls back whole.
    public func immediateTransaction<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        _ = try run("BEGIN IMMEDIATE", [])
        do {
            let result = try body(self)
            _ = try run("COMMIT", [])
            return result
        } catch {
            _ = try? run("ROLLBACK", [])
            throw error
        }
    }

    /// Starts a deferred transaction (`BEGIN`): its first read takes the snapshot that every later read in it shares.
    /// A write inside it could fail on a stale snapshot, so it is only for reads; end it with `commit()` or `rollback()`.
    public func beginRead() throws(SQLiteError) {
        _ = try run("BEGIN", [])
    }

    /// Ends the transaction `beginRead()` started.
    public func commit() throws(SQLiteError) {
        _ = try run("COMMIT", [])
    }

    /// Abandons the open transaction, if any; failures are ignored, since there is nothing left to undo.
    public func rollback() {
        _ = try? run("ROLLBACK", [])
    }

    /// A number that changes whenever any connection, this one included, commits to the main database
    /// (`SQLITE_FCNTL_DATA_VERSION`); equal numbers mean no commit in between.
    ///
    /// SQLite notices another connection's commit only when a read transaction starts, so this first runs
    /// `PRAGMA data_version`, which starts one (outside a transaction, a read transaction of its own: a WAL read lock
    /// taken and released). The pragma's own value would not do: it ignores this connection's commits.
    func dataVersion() throws(SQLiteError) -> UInt32 {
        _ = try run("PRAGMA data_version", [])
        var version: UInt32 = 0
        let status = sqlite3_file_control(handle, "main", SQLITE_FCNTL_DATA_VERSION, &version)
        guard status == SQLITE_OK else { throw error(status) }
        return version
    }

    private func run(_ sql: StaticString, _ values: [any SQLiteBindable]) throws(SQLiteError) -> [SQLiteRow] {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value.sqliteValue {
            case .null: status = sqlite3_bind_null(statement, index)
            case .integer(let number): status = sqlite3_bind_int64(statement, index, number)
            case .text(let text): status = sqlite3_bind_text(statement, index, text, -1, Self.transient)
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
        var rows = [SQLiteRow]()
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(status) }
            let columns = 0..<sqlite3_column_count(statement)
            rows.append(SQLiteRow(values: columns.map { Self.value(statement, column: $0) }))
        }
        return rows
    }

    /// The value of one column of the current row.
    private static func value(_ statement: OpaquePointer, column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
        default: return sqlite3_column_text(statement, column).map { .text(String(cString: $0)) } ?? .null
        }
    }

    private func prepared(_ sql: StaticString) throws(SQLiteError) -> OpaquePointer {
        let text = sql.description
        if let statement = statements[text] { return statement }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        statements[text] = statement
        return statement
    }

    private func error(_ status: Int32) -> SQLiteError {
        SQLiteError(code: status, message: String(cString: sqlite3_errmsg(handle)), path: path)
    }
}
