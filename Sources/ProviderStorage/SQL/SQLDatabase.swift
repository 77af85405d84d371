/// A value bound to an SQL statement, in the terms both engines understand.
public enum SQLValue: Sendable, Equatable {
    /// SQL NULL.
    case null
    /// A 64-bit integer.
    case integer(Int64)
    /// UTF-8 text.
    case text(String)
    /// A boolean: 1 or 0 in SQLite, `true` or `false` in PostgreSQL.
    case boolean(Bool)
}

/// Types the shared SQL stores bind as statement parameters.
public protocol SQLParameter: Sendable {
    /// The value to bind.
    var sqlValue: SQLValue { get }
}

extension String: SQLParameter { public var sqlValue: SQLValue { .text(self) } }
extension Int64: SQLParameter { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLParameter { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Bool: SQLParameter { public var sqlValue: SQLValue { .boolean(self) } }
extension SQLValue: SQLParameter { public var sqlValue: SQLValue { self } }
extension Optional: SQLParameter where Wrapped: SQLParameter {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One result row, read by column index.
public protocol SQLRow: Sendable {
    /// The text at a column, or empty for NULL.
    func text(_ index: Int) -> String
    /// The optional text at a column.
    func optionalText(_ index: Int) -> String?
    /// The integer at a column, or 0 for NULL.
    func integer(_ index: Int) -> Int64
    /// The optional integer at a column.
    func optionalInteger(_ index: Int) -> Int64?
    /// The boolean at a column.
    func boolean(_ index: Int) -> Bool
}

/// A connection the shared SQL stores run their statements on. Statements are constants of the program, written with
/// `?` placeholders (each engine numbers them as it needs); values are always bound, never spliced into SQL.
public protocol SQLConnection {
    /// The engine's row type.
    associatedtype Row: SQLRow
    /// Runs a statement with bound values and returns its rows.
    func query(_ sql: StaticString, parameters: [any SQLParameter]) throws -> [Row]
    /// Runs a statement with bound values and returns how many rows it changed.
    @discardableResult
    func update(_ sql: StaticString, parameters: [any SQLParameter]) throws -> Int
}

/// A database the shared SQL stores (`SQLUserStore` and the others) keep their records in: SQLite or PostgreSQL. Each
/// engine supplies its connection, its own way of committing, and the freshness its caches are judged by.
public protocol SQLDatabase: Sendable {
    /// The engine's connection.
    associatedtype Connection: SQLConnection
    /// What a cached record's freshness is judged by (SQLite's data version, PostgreSQL's cache version).
    associatedtype CacheTag: Equatable & Sendable
    /// Where the database is, for error messages: a file path, or a connection URI without its password.
    var location: String { get }
    /// Runs reading statements, exclusive of other threads of this process.
    func read<T: Sendable>(_ body: (Connection) throws -> T) throws -> T
    /// Runs writing statements: SQLite commits them as one transaction, PostgreSQL commits each by itself, so each must
    /// be correct on its own.
    @discardableResult
    func write<T: Sendable>(_ body: (Connection) throws -> T) throws -> T
    /// Runs exactly one writing statement as its own transaction, without BEGIN and COMMIT around it.
    func autocommit<T: Sendable>(_ body: (Connection) throws -> T) throws -> T
    /// A record (or its absence) from `cache` while it is fresh, else `load`'s result, which is then cached.
    func cachedRead<Value>(_ cache: TaggedRecordCache<CacheTag, Value>, key: String,
                           load: (Connection) throws -> Value?) throws -> Value?
}
