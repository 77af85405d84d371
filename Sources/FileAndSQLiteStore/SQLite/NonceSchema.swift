extension Schema {
    /// `nonces.sqlite`: the nonces of signed requests, apart from `oauth1.sqlite` so that the insert on every request
    /// leaves the other file, and the page cache every worker keeps of it, untouched.
    ///
    /// No index on `expires_at`: the insert on every request then dirties one B-tree instead of two, and the purge,
    /// every few minutes, scans the table once instead.
    public static let nonces = Schema(migrations: [
        // 1: one row per (client, token, timestamp, nonce) seen.
        """
        CREATE TABLE nonces (
            client_id TEXT NOT NULL,
            token TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            nonce TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (client_id, token, timestamp, nonce)
        ) WITHOUT ROWID;
        """,
    ])
}
