/// A failure reported by SQLite, with the database file it concerns.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// SQLite's primary result code, such as 5 for SQLITE_BUSY or 26 for SQLITE_NOTADB.
    public let code: Int32
    /// SQLite's message.
    public let message: String
    /// The database file.
    public let path: String

    public var description: String {
        switch code & 0xFF {
        case 26: return "\(path) is not an SQLite database, or is corrupt (\(message)); restore it from a backup or move it away to start afresh."
        case 11: return "\(path) is corrupt (\(message)); restore it from a backup."
        case 5, 6: return "\(path) stayed locked by another process (\(message)); retry."
        case 14: return "\(path) cannot be opened (\(message)); check the directory exists and is writable by this user."
        default: return "\(path): SQLite error \(code): \(message)"
        }
    }
}

/// A database file whose schema is newer than this binary understands.
public struct SchemaTooNewError: Error, Sendable, CustomStringConvertible {
    /// The database file.
    public let path: String
    /// The schema version found in the file.
    public let found: Int
    /// The newest schema version this binary knows.
    public let known: Int

    public var description: String {
        "\(path) has schema version \(found), but this oauth1-fcgi knows versions up to \(known); run a newer oauth1-fcgi, or restore a backup made for this one."
    }
}
