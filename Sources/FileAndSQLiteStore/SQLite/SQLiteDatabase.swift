import CSQLite
import ProviderCore
import ProviderStorage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One of the provider's SQLite database files: WAL journal, busy timeout, foreign keys, versioned migrations on open, and one connection handed to one caller at a time.
/// Sendable because the only mutable state, the connection, is reached only under `lock`.
public final class SQLiteDatabase: @unchecked Sendable {
    /// The database file.
    public let path: String
    /// The schema the file was migrated to on open.
    public let schema: Schema
    private let connection: SQLiteConnection
    /// Held by whichever thread uses `connection`.
    private let lock = Mutex(())
    /// The thread inside `lookUp` (its pthread_t), or 0: its reads run in that transaction without taking `lock` again.
    private let lookUpThread = Atomic<UInt>(0)
    /// The open look-up's state; only touched by the thread inside `lookUp`, which holds `lock`.
    private var scope = LookUpState()

    /// Opens the file (creating it 0600 inside a 0700 directory when absent), sets WAL and the busy timeout, and migrates `schema`.
    public init(path: String, schema: Schema = .provider, busyTimeoutMilliseconds: Int32 = 5000) throws {
        self.path = path
        self.schema = schema
        let existed = access(path, F_OK) == 0
        if !existed {
            let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw SQLiteError(code: 14, message: String(cString: strerror(errno)), path: path)
            }
            close(descriptor)
        }
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        try connection.query("PRAGMA journal_mode = WAL")
        try connection.execute("PRAGMA synchronous = NORMAL")
        // A 256 KiB page cache instead of SQLite's 2 MB: under two workers every transaction starts with the cache
        // emptied by the other's commit, so a large one saves nothing, and its growth pushed a long-running worker's
        // peak RSS over 20 MiB.
        try connection.execute("PRAGMA cache_size = -256")
        try schema.migrate(connection)
        self.connection = connection
    }

    /// Runs `body` with the connection, exclusive of other threads of this process.
    public func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        if isInsideLookUp {
            try openScopeTransaction()
            return try body(connection)
        }
        return try lock.withLock { _ in try body(connection) }
    }

    /// A record (or its absence) from `cache` when no connection has committed to this file since it was read, else
    /// `load`'s result, which is then cached. Inside `lookUp` the whole look-up is judged by one data version.
    public func cachedRead<Value>(_ cache: SnapshotCache<Value>, key: String,
                                  load: (SQLiteConnection) throws -> Value?) throws -> Value? {
        if isInsideLookUp {
            let version = try scopeDataVersion()
            if let hit = cache.value(for: key, at: version) { return hit }
            try openScopeTransaction()
            let value = try load(connection)
            cache.store(value, for: key, readAfter: version)
            return value
        }
        return try lock.withLock { _ in
            // Taken before the read's own transaction begins, so what it reads is at least this new.
            let version = try connection.dataVersion()
            if let hit = cache.value(for: key, at: version) { return hit }
            let value = try load(connection)
            cache.store(value, for: key, readAfter: version)
            return value
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, exclusive of other threads and processes; it commits whole or not at all.
    public func write<T: Sendable>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try refuseInsideLookUp()
        return try lock.withLock { _ in try connection.immediateTransaction(body) }
    }

    /// Runs `body`, which must run exactly one writing statement, in autocommit: the statement is its own transaction,
    /// atomic across processes like any SQLite statement, without the BEGIN and COMMIT statements around it.
    public func autocommit<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try refuseInsideLookUp()
        return try lock.withLock { _ in try body(connection) }
    }

    private var isInsideLookUp: Bool {
        lookUpThread.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// A write inside a look-up's read transaction would deadlock on `lock`, or fail on a stale snapshot: refuse it.
    private func refuseInsideLookUp() throws {
        if isInsideLookUp {
            throw SQLiteError(code: SQLITE_MISUSE, message: "a write was attempted inside a read-only look-up", path: path)
        }
    }

    /// Copies the WAL back into the database file if it has grown past the threshold; call it after a response is sent.
    public func checkpointIfDue() {
        lock.withLock { _ in connection.checkpointIfDue() }
    }

    /// The file's data version now: equal values mean no connection committed in between.
    func dataVersion() throws -> UInt32 {
        try lock.withLock { _ in try connection.dataVersion() }
    }

    /// The schema version stored in the file.
    public func schemaVersion() throws -> Int {
        try read { Int(try $0.query("PRAGMA user_version").first?.integer(0) ?? 0) }
    }

    /// The version of the SQLite library linked into this binary.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// Runs SQLite's own consistency check; "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try read { try $0.query("PRAGMA integrity_check").map { $0.text(0) }.joined(separator: "\n") }
    }
}

extension SQLiteDatabase: LookupScope {
    /// Runs a request's credential look-ups as one unit: one data version judges every cached record, and the reads that
    /// miss share one read transaction (one snapshot, one set of locks), begun only when the first one misses. Nested
    /// calls join it.
    public func lookUp<T>(_ body: () throws -> T) throws -> T {
        if isInsideLookUp { return try body() }
        return try lock.withLock { _ in
            scope = LookUpState()
            lookUpThread.store(UInt(pthread_self()), ordering: .releasing)
            defer {
                lookUpThread.store(0, ordering: .releasing)
                scope = LookUpState()
            }
            do {
                let result = try body()
                if scope.transactionIsOpen { try connection.commit() }
                return result
            } catch {
                if scope.transactionIsOpen { connection.rollback() }
                throw error
            }
        }
    }

    /// The look-up's data version, taken at its first use and always before its transaction begins.
    private func scopeDataVersion() throws -> UInt32 {
        if let version = scope.dataVersion { return version }
        let version = try connection.dataVersion()
        scope.dataVersion = version
        return version
    }

    private func openScopeTransaction() throws {
        guard !scope.transactionIsOpen else { return }
        _ = try scopeDataVersion()
        try connection.beginRead()
        scope.transactionIsOpen = true
    }
}

/// What one `lookUp` has done so far.
private struct LookUpState {
    var dataVersion: UInt32?
    var transactionIsOpen = false
}
