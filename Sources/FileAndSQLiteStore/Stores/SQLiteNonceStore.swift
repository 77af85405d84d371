import ProviderCore

/// Nonces in SQLite: the primary key makes insert-if-absent one atomic statement, so of several processes given the same
/// nonce exactly one accepts it (RFC 5849 section 3.3).
public struct SQLiteNonceStore: NonceStore {
    let database: SQLiteDatabase

    /// Creates the store over an open database: `nonces.sqlite` (`Schema.nonces`), or `oauth1.sqlite`, whose old
    /// `nonces` table has the same columns, to purge what an older binary left there.
    public init(database: SQLiteDatabase) { self.database = database }

    public func insertIfAbsent(_ nonce: TimestampNonce, expiresAt: Int64) throws -> Bool {
        // One statement is its own transaction.
        try database.autocommit { connection in
            try connection.update("INSERT INTO nonces (client_id, token, timestamp, nonce, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                  [nonce.clientIdentifier, nonce.token, nonce.timestamp, nonce.nonce, expiresAt]) == 1
        }
    }

    /// Removes nonces that expired at or before `time`; returns how many. In `nonces.sqlite` this scans the table, which
    /// has no expiry index (see `Schema.nonces`).
    public func purge(expiredAt time: Int64) throws -> Int {
        try database.write { try $0.update("DELETE FROM nonces WHERE expires_at <= ?", [time]) }
    }

    /// How many nonces are stored.
    public func count() throws -> Int {
        try database.read { Int(try $0.query("SELECT count(*) FROM nonces").first?.integer(0) ?? 0) }
    }
}
