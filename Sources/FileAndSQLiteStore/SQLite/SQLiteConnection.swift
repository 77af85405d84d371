import CSQLite

/// One SQLite connection with a per-connection cache of prepared statements. Not thread-safe by itself: `SQLiteDatabase` hands it to one caller at a time.
/// SQL given as `StaticString` is a constant of this module: values are bound, never spliced (prepared statements only).
public final class SQLiteConnection {
    /// The database file.
    public let path: String
    private let handle: OpaquePointer
    /// Prepared statements by the address of their constant SQL text: hashing the text on every call cost more than
    /// running some of the statements.
    private var statements: [UnsafeRawPointer: OpaquePointer] = [:]
    private let busyWait: SQLiteBusyWait
    private let checkpoints: SQLiteCheckpointPolicy
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
        do {
            var message: UnsafeMutablePointer<CChar>?
            let status = sqlite3_exec(handle, sql, nil, nil, &message)
            if status != SQLITE_OK {
                let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
                sqlite3_free(message)
                throw SQLiteError(code: status, message: text, path: path)
            }
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
    /// BEGIN, COMMIT and ROLLBACK are prepared once and reused like every other statement (parsing them on every write
    /// was a fifth of a protected request's time).
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

    /// The WAL-index header of the database as it is now (`WALChangeStamp`); nil unless `isWAL`.
    func changeStamp(isWAL: Bool) -> WALChangeStamp? {
        isWAL ? WALChangeStamp.current(handle) : nil
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
            case .text(let text):
                // withCString lends a native string's own NUL-terminated bytes; passing the String directly
                // made an array copy first. SQLite copies the text (SQLITE_TRANSIENT).
                status = text.withCString { sqlite3_bind_text(statement, index, $0, -1, Self.transient) }
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
        var rows = [SQLiteRow]()
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(status) }
            let count = sqlite3_column_count(statement)
            var row = [SQLiteValue]()
            row.reserveCapacity(Int(count))
            for column in 0..<count {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_NULL: row.append(.null)
                case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, column)))
                default:
                    if let text = sqlite3_column_text(statement, column) {
                        // The length SQLite already knows, instead of strlen and a second pass.
                        let length = Int(sqlite3_column_bytes(statement, column))
                        row.append(.text(String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)))
                    } else {
                        row.append(.null)
                    }
                }
            }
            rows.append(SQLiteRow(values: row))
        }
        return rows
    }

    private func prepared(_ sql: StaticString) throws(SQLiteError) -> OpaquePointer {
        // SQL text is always a literal with a pointer representation; a one-scalar StaticString could not be SQL.
        guard sql.hasPointerRepresentation else { throw SQLiteError(code: SQLITE_MISUSE, message: "SQL text is not a literal", path: path) }
        let key = UnsafeRawPointer(sql.utf8Start)
        if let statement = statements[key] { return statement }
        var statement: OpaquePointer?
        let status = sql.utf8Start.withMemoryRebound(to: CChar.self, capacity: sql.utf8CodeUnitCount) { text in
            sqlite3_prepare_v3(handle, text, Int32(sql.utf8CodeUnitCount), UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        }
        guard status == SQLITE_OK, let statement else { throw error(status) }
        statements[key] = statement
        return statement
    }

    private func error(_ status: Int32) -> SQLiteError {
        SQLiteError(code: status, message: String(cString: sqlite3_errmsg(handle)), path: path)
    }
}
