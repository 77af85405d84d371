import ProviderStorage

/// Records read from one database, kept per process for as long as no connection commits to that database: every entry
/// is tagged with the database's data version (`SQLiteConnection.dataVersion()`) taken before the read that loaded it.
/// Any commit, by another process or by this one, changes the version, so a revoked token or a disabled client is never
/// served from here after its commit.
public typealias SnapshotCache<Value: Sendable> = TaggedRecordCache<UInt32, Value>

/// SQLite as the shared SQL stores see it: writes in `BEGIN IMMEDIATE` transactions, caches judged by the data version.
extension SQLiteDatabase: SQLDatabase {
    /// The database file.
    public var location: String { path }
}

extension SQLiteConnection: SQLConnection {
    /// Runs a cached prepared statement with bound values and returns every row.
    public func query(_ sql: StaticString, parameters: [any SQLParameter]) throws -> [SQLiteRow] {
        try query(sql, parameters.map(Self.bindable))
    }

    /// Runs a cached prepared statement and returns how many rows it changed.
    public func update(_ sql: StaticString, parameters: [any SQLParameter]) throws -> Int {
        try update(sql, parameters.map(Self.bindable))
    }

    private static func bindable(_ parameter: any SQLParameter) -> any SQLiteBindable {
        switch parameter.sqlValue {
        case .null: SQLiteValue.null
        case .integer(let number): SQLiteValue.integer(number)
        case .text(let text): SQLiteValue.text(text)
        case .boolean(let flag): SQLiteValue.integer(flag ? 1 : 0)
        }
    }
}

extension SQLiteRow: SQLRow {
    /// The boolean at a column: any integer but 0.
    public func boolean(_ index: Int) -> Bool { integer(index) != 0 }
}
