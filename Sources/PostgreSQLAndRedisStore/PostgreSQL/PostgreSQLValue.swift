/// Types sent to PostgreSQL as a text parameter of a prepared statement.
public protocol PostgreSQLParameter: Sendable {
    /// The value in PostgreSQL's text format, or nil for NULL.
    var postgreSQLText: String? { get }
}

extension String: PostgreSQLParameter { public var postgreSQLText: String? { self } }
extension Int64: PostgreSQLParameter { public var postgreSQLText: String? { String(self) } }
extension Int: PostgreSQLParameter { public var postgreSQLText: String? { String(self) } }
extension Bool: PostgreSQLParameter { public var postgreSQLText: String? { self ? "true" : "false" } }
extension Optional: PostgreSQLParameter where Wrapped: PostgreSQLParameter {
    public var postgreSQLText: String? { self?.postgreSQLText }
}

/// One result row in text format, read by column index.
public struct PostgreSQLRow: Sendable {
    /// The column values in select order; nil for NULL.
    public let values: [String?]

    /// Creates a row.
    public init(values: [String?]) { self.values = values }

    /// The text at a column, or empty for NULL.
    public func text(_ index: Int) -> String { values[index] ?? "" }
    /// The optional text at a column.
    public func optionalText(_ index: Int) -> String? { values[index] }
    /// The integer at a column, or 0 for NULL or a non-number.
    public func integer(_ index: Int) -> Int64 { optionalInteger(index) ?? 0 }
    /// The optional integer at a column.
    public func optionalInteger(_ index: Int) -> Int64? { values[index].flatMap { Int64($0) } }
    /// The boolean at a column (`t` in text format).
    public func boolean(_ index: Int) -> Bool { values[index] == "t" }
}
