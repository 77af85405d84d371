import ProviderStorage

/// PostgreSQL as the shared SQL stores see it: every statement commits by itself, and caches are judged by the cache
/// version and change notifications (`CacheTag`).
extension PostgreSQLDatabase: SQLDatabase {
    /// Runs reading statements on this process's connection.
    public func read<T: Sendable>(_ body: (PostgreSQLStatements) throws -> T) throws -> T {
        try withConnection { try body(PostgreSQLStatements(connection: $0)) }
    }

    /// Runs writing statements on this process's connection, each committing by itself.
    public func write<T: Sendable>(_ body: (PostgreSQLStatements) throws -> T) throws -> T {
        try withConnection { try body(PostgreSQLStatements(connection: $0)) }
    }

    /// Runs one writing statement, which commits by itself.
    public func autocommit<T: Sendable>(_ body: (PostgreSQLStatements) throws -> T) throws -> T {
        try withConnection { try body(PostgreSQLStatements(connection: $0)) }
    }
}

/// One PostgreSQL connection as the shared SQL stores use it: their `?` placeholders become `$1`, `$2`, ... in order.
public struct PostgreSQLStatements: SQLConnection {
    let connection: PostgreSQLConnection

    /// Runs a statement with bound values and returns its rows.
    public func query(_ sql: StaticString, parameters: [any SQLParameter]) throws -> [PostgreSQLRow] {
        try connection.query(Self.numbered(sql), parameters.map { $0.sqlValue as any PostgreSQLParameter })
    }

    /// Runs a statement with bound values and returns how many rows it changed.
    public func update(_ sql: StaticString, parameters: [any SQLParameter]) throws -> Int {
        try connection.update(Self.numbered(sql), parameters.map { $0.sqlValue as any PostgreSQLParameter })
    }

    /// The statement with each `?` outside quoted text replaced by `$1`, `$2`, ... in order.
    static func numbered(_ sql: StaticString) -> String {
        var result = ""
        var number = 0
        var quoted = false
        for character in sql.description {
            if character == "'" { quoted.toggle() }
            if character == "?", !quoted {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }
}

extension SQLValue: PostgreSQLParameter {
    /// The value in PostgreSQL's text format, or nil for NULL.
    public var postgreSQLText: String? {
        switch self {
        case .null: nil
        case .integer(let number): String(number)
        case .text(let text): text
        case .boolean(let flag): flag ? "true" : "false"
        }
    }
}

extension PostgreSQLRow: SQLRow {}
