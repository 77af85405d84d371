import ProviderCore

/// Nonces in an SQL database (`SQLiteNonceStore`, `PostgreSQLNonceStore`): the primary key makes insert-if-absent one
/// atomic statement, so of several processes or hosts given the same nonce exactly one accepts it (RFC 5849 section
/// 3.3). One statement per signed request.
public struct SQLNonceStore<Database: SQLDatabase>: NonceStore {
    let database: Database

    /// Creates the store over a database.
    public init(database: Database) { self.database = database }

    public func insertIfAbsent(_ nonce: TimestampNonce, expiresAt: Int64) throws -> Bool {
        try database.autocommit { connection in
            try connection.update("INSERT INTO nonces (client_id, token, timestamp, nonce, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                  parameters: [nonce.clientIdentifier, nonce.token, nonce.timestamp, nonce.nonce, expiresAt]) == 1
        }
    }

    /// Removes nonces that expired at or before `time`; returns how many.
    public func purge(expiredAt time: Int64) throws -> Int {
        try database.write { try $0.update("DELETE FROM nonces WHERE expires_at <= ?", parameters: [time]) }
    }

    /// How many nonces are stored.
    public func count() throws -> Int {
        try database.read { Int(try $0.query("SELECT count(*) FROM nonces", parameters: []).first?.integer(0) ?? 0) }
    }
}
