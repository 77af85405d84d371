/// A database file's schema as an ordered list of migrations; `PRAGMA user_version` records how many have run.
public struct Schema: Sendable {
    /// Each entry upgrades the schema from version `index` to `index + 1`.
    let migrations: [String]

    /// The schema version this binary creates and understands.
    public var version: Int { migrations.count }

    /// The schema version of `oauth1.sqlite` this binary creates and understands.
    public static var currentVersion: Int { provider.version }

    /// `oauth1.sqlite`: users, clients, credentials, sessions. Its `nonces` table (version 1) is no longer used: nonces
    /// live in their own file (`Schema.nonces`); the table stays so that the migration history remains valid.
    public static let provider = Schema(migrations: [
        // 1: users, clients, the three kinds of credential state, and a key-value table for housekeeping.
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE clients (
            client_id TEXT PRIMARY KEY,
            secret TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            owner_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            callback_uris TEXT NOT NULL DEFAULT '',
            rsa_public_key TEXT,
            two_legged INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE temporary_credentials (
            token TEXT PRIMARY KEY,
            secret TEXT NOT NULL,
            client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
            callback TEXT NOT NULL,
            requested_scopes TEXT NOT NULL DEFAULT '',
            granted_scopes TEXT NOT NULL DEFAULT '',
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            verifier TEXT,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX temporary_credentials_expiry ON temporary_credentials(expires_at);
        CREATE TABLE token_credentials (
            token TEXT PRIMARY KEY,
            secret TEXT NOT NULL,
            client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            scopes TEXT NOT NULL DEFAULT '',
            created_at INTEGER NOT NULL,
            last_used_at INTEGER,
            revoked_at INTEGER,
            expires_at INTEGER
        );
        CREATE INDEX token_credentials_user ON token_credentials(user_id);
        CREATE INDEX token_credentials_client ON token_credentials(client_id);
        CREATE TABLE nonces (
            client_id TEXT NOT NULL,
            token TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            nonce TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (client_id, token, timestamp, nonce)
        ) WITHOUT ROWID;
        CREATE INDEX nonces_expiry ON nonces(expires_at);
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
        // 2: browser sessions and failed-login counters, shared by every worker process.
        """
        CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY,
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX sessions_expiry ON sessions(expires_at);
        CREATE INDEX sessions_user ON sessions(user_id);
        CREATE TABLE login_failures (
            subject TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            window_started_at INTEGER NOT NULL,
            locked_until INTEGER NOT NULL DEFAULT 0
        );
        """,
        // 3: the lifetime a client asked for its token credential (expiration at initiate).
        """
        ALTER TABLE temporary_credentials ADD COLUMN token_lifetime INTEGER;
        """,
        // 4: clients that must send oauth_body_hash with every non-form body (IMS LTI outcomes and the like).
        """
        ALTER TABLE clients ADD COLUMN require_body_hash INTEGER NOT NULL DEFAULT 0;
        """,
    ])

    /// Brings the file's schema up to `version` inside one immediate transaction; refuses a file from a newer binary.
    func migrate(_ connection: SQLiteConnection) throws {
        let currentVersion = version
        let found = Int(try connection.query("PRAGMA user_version").first?.integer(0) ?? 0)
        if found > currentVersion {
            throw SchemaTooNewError(path: connection.path, found: found, known: currentVersion)
        }
        if found == currentVersion { return }
        try connection.immediateTransaction { connection in
            // Read again under the write lock: another process may have migrated meanwhile.
            let version = Int(try connection.query("PRAGMA user_version").first?.integer(0) ?? 0)
            guard version < currentVersion else { return }
            for script in migrations[version...] {
                try connection.execute(script)
            }
            try connection.execute("PRAGMA user_version = \(currentVersion)")
        }
    }
}
