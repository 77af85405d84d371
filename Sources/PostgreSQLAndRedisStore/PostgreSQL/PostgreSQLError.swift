/// An SQL statement PostgreSQL refused (a constraint, a syntax or permission error): not an outage, so it is not retried.
public struct PostgreSQLError: Error, Sendable, CustomStringConvertible {
    /// The five-character SQLSTATE, such as `23505` for a unique violation; empty when the server sent none.
    public let sqlState: String
    /// PostgreSQL's primary message.
    public let message: String
    /// The database, its password left out.
    public let location: String

    public var description: String { "PostgreSQL at \(location): error \(sqlState): \(message)" }
}

/// A PostgreSQL database whose schema is newer than this binary understands.
public struct PostgreSQLSchemaTooNewError: Error, Sendable, CustomStringConvertible {
    /// The database, its password left out.
    public let location: String
    /// The schema version found in the database.
    public let found: Int
    /// The newest schema version this binary knows.
    public let known: Int

    public var description: String {
        "PostgreSQL at \(location) has schema version \(found), but this oauth1-fcgi knows versions up to \(known); run a newer oauth1-fcgi on every host."
    }
}

/// The connection failed or was lost; the database turns it into `StoreUnavailableError` and drops the connection.
struct PostgreSQLConnectionLost: Error {
    /// libpq's or the server's message, first line only.
    let message: String
}
