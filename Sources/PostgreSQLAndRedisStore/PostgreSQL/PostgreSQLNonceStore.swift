import ProviderCore

/// Nonces in PostgreSQL: the primary key makes insert-if-absent one atomic statement, so of several hosts given the same
/// nonce exactly one accepts it (RFC 5849 section 3.3). One round trip per signed request.
public struct PostgreSQLNonceStore: NonceStore {
    let database: PostgreSQLDatabase

    /// Creates the store over a database.
    public init(database: PostgreSQLDatabase) { self.database = database }

    public func insertIfAbsent(_ nonce: TimestampNonce, expiresAt: Int64) throws -> Bool {
        try database.withConnection { connection in
            try connection.update("INSERT INTO nonces (client_id, token, timestamp, nonce, expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                                  [nonce.clientIdentifier, nonce.token, nonce.timestamp, nonce.nonce, expiresAt]) == 1
        }
    }

    /// Removes nonces that expired at or before `time`; returns how many.
    public func purge(expiredAt time: Int64) throws -> Int {
        try database.withConnection { try $0.update("DELETE FROM nonces WHERE expires_at <= $1", [time]) }
    }
}
