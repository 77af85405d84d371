/// A value bound to, or read from, an SQL statement.
public enum SQLiteValue: Sendable, Equatable {
    /// SQL NULL.
    case null
    /// A 64-bit integer.
    case integer(Int64)
    /// UTF-8 text.
    case text(String)

    /// The integer, or nil.
    public var integer: Int64? { if case .integer(let value) = self { return value } else { return nil } }
    /// The text, or nil.
    public var text: String? { if case .text(let value) = self { return value } else { return nil } }
}

/// Types that bind as an SQLite value.
public protocol SQLiteBindable: Sendable {
    /// The value to bind.
    var sqliteValue: SQLiteValue { get }
}

extension String: SQLiteBindable { public var sqliteValue: SQLiteValue { .text(self) } }
extension Int64: SQLiteBindable { public var sqliteValue: SQLiteValue { .integer(self) } }
extension Int: SQLiteBindable { public var sqliteValue: SQLiteValue { .integer(Int64(self)) } }
extension Bool: SQLiteBindable { public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) } }
extension SQLiteValue: SQLiteBindable { public var sqliteValue: SQLiteValue { self } }
extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    public var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
}

/// One result row, read by column index.
public struct SQLiteRow: Sendable {
    /// The column values in select order.
    public let values: [SQLiteValue]

    /// The text at a column, or empty for NULL.
    public func text(_ index: Int) -> String { values[index].text ?? "" }
    /// The optional text at a column.
    public func optionalText(_ index: Int) -> String? { values[index].text }
    /// The integer at a column, or 0 for NULL.
    public func integer(_ index: Int) -> Int64 { values[index].integer ?? 0 }
    /// The optional integer at a column.
    public func optionalInteger(_ index: Int) -> Int64? { values[index].integer }
}
