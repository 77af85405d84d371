import ProviderCore

/// Temporary credentials in an SQL database (`SQLiteTemporaryCredentialStore`, `PostgreSQLTemporaryCredentialStore`);
/// authorize is one guarded UPDATE and consume one `DELETE ... RETURNING`, so each succeeds once across every process
/// and host.
public struct SQLTemporaryCredentialStore<Database: SQLDatabase>: TemporaryCredentialStore {
    let database: Database
    /// Seals secrets before they are stored and opens them when read.
    let sealer: SecretSealer

    /// Creates the store over a database, its secrets sealed by `sealer`.
    public init(database: Database, sealer: SecretSealer) {
        self.database = database
        self.sealer = sealer
    }

    public func save(_ credential: TemporaryCredential) throws {
        let userID = try credential.userID.map(databaseUserID)
        let sealedSecret = try sealer.seal(credential.secret, owner: .temporaryCredential(credential.token))
        try database.write { connection in
            try connection.update("INSERT INTO temporary_credentials (token, secret, client_id, callback, requested_scopes, granted_scopes, user_id, verifier, expires_at, token_lifetime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  parameters: [credential.token, sealedSecret, credential.clientIdentifier, credential.callback,
                                               credential.requestedScopes.spaceJoined, credential.grantedScopes.spaceJoined, userID,
                                               credential.verifier, credential.expiresAt, credential.tokenLifetime])
        }
    }

    public func temporaryCredential(token: String) throws -> TemporaryCredential? {
        try database.read { connection in
            try connection.query("SELECT token, secret, client_id, callback, requested_scopes, granted_scopes, user_id, verifier, expires_at, token_lifetime FROM temporary_credentials WHERE token = ?",
                                 parameters: [token]).first.map { try TemporaryCredential(row: $0, sealer: sealer) }
        }
    }

    public func authorize(token: String, userID: String, verifier: String, grantedScopes: [String]) throws -> Bool {
        let user = try databaseUserID(userID)
        return try database.write { connection in
            try connection.update("UPDATE temporary_credentials SET user_id = ?, verifier = ?, granted_scopes = ? WHERE token = ? AND user_id IS NULL AND verifier IS NULL",
                                  parameters: [user, verifier, grantedScopes.spaceJoined, token]) == 1
        }
    }

    public func consume(token: String) throws -> TemporaryCredential? {
        try database.write { connection in
            try connection.query("DELETE FROM temporary_credentials WHERE token = ? RETURNING token, secret, client_id, callback, requested_scopes, granted_scopes, user_id, verifier, expires_at, token_lifetime",
                                 parameters: [token]).first.map { try TemporaryCredential(row: $0, sealer: sealer) }
        }
    }

    /// Removes credentials that expired at or before `time`; returns how many.
    public func purge(expiredAt time: Int64) throws -> Int {
        try database.write { try $0.update("DELETE FROM temporary_credentials WHERE expires_at <= ?", parameters: [time]) }
    }
}

/// Token credentials in an SQL database (`SQLiteTokenCredentialStore`, `PostgreSQLTokenCredentialStore`): persistent,
/// revocable. Look-ups are cached per process while the database says nothing changed (`SQLDatabase.cachedRead`), so a
/// revocation takes effect at the next request; a recorded use updates the cached copy in place.
public struct SQLTokenCredentialStore<Database: SQLDatabase>: TokenCredentialRegistry {
    /// `tokenCredential(token:)`'s cached read, made in the inlinable `init`, so that it is compiled specialized where a
    /// backend creates the store with its database type, though the application calls the store through an existential.
    /// Declared first, so that generic code finds it at a fixed offset.
    private let cachedLookUp: @Sendable (String) throws -> TokenCredential?
    private let cache: TaggedRecordCache<Database.CacheTag, TokenCredential>
    let database: Database
    /// Seals secrets before they are stored and opens them when read (once per cached credential).
    let sealer: SecretSealer
    /// The clock revocations are stamped with.
    public let clock: any EpochClock

    /// Creates the store over a database, its secrets sealed by `sealer`.
    @inlinable
    public init(database: Database, sealer: SecretSealer, clock: any EpochClock = SystemEpochClock()) {
        let cache = TaggedRecordCache<Database.CacheTag, TokenCredential>()
        self.init(database: database, sealer: sealer, clock: clock, cache: cache) { token in
            try database.cachedRead(cache, key: token) { connection in
                try connection.query("SELECT token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at FROM token_credentials WHERE token = ?",
                                     parameters: [token]).first.map { try TokenCredential(row: $0, sealer: sealer) }
            }
        }
    }

    /// Creates the store from its parts; `init(database:sealer:clock:)` makes the cache and the look-up.
    @usableFromInline
    init(database: Database, sealer: SecretSealer, clock: any EpochClock, cache: TaggedRecordCache<Database.CacheTag, TokenCredential>,
         cachedLookUp: @escaping @Sendable (String) throws -> TokenCredential?) {
        self.cachedLookUp = cachedLookUp
        self.cache = cache
        self.database = database
        self.sealer = sealer
        self.clock = clock
    }

    public func save(_ credential: TokenCredential) throws {
        let userID = try databaseUserID(credential.userID)
        let sealedSecret = try sealer.seal(credential.secret, owner: .tokenCredential(credential.token))
        try database.write { connection in
            try connection.update("INSERT INTO token_credentials (token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  parameters: [credential.token, sealedSecret, credential.clientIdentifier, userID,
                                               credential.scopes.spaceJoined, credential.createdAt, credential.lastUsedAt,
                                               credential.isRevoked ? credential.createdAt : nil, credential.expiresAt])
        }
    }

    public func tokenCredential(token: String) throws -> TokenCredential? {
        try cachedLookUp(token)
    }

    public func recordUse(token: String, at time: Int64) throws {
        try database.write { _ = try $0.update("UPDATE token_credentials SET last_used_at = ? WHERE token = ?", parameters: [time, token]) }
        // Where the write leaves the cache's tag as it was (PostgreSQL ignores last_used_at), the cached copy stays current.
        cache.modify(token) { $0.lastUsedAt = time }
    }

    public func revoke(token: String) throws -> Bool {
        let now = clock.now()
        return try database.write { connection in
            try connection.update("UPDATE token_credentials SET revoked_at = coalesce(revoked_at, ?) WHERE token = ?", parameters: [now, token]) > 0
        }
    }

    public func all(userID: Int64?) throws -> [TokenCredential] {
        try database.read { connection in
            if let userID {
                return try connection.query("SELECT token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at FROM token_credentials WHERE user_id = ? ORDER BY created_at DESC, token",
                                            parameters: [userID]).map { try TokenCredential(row: $0, sealer: sealer) }
            }
            return try connection.query("SELECT token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at FROM token_credentials ORDER BY created_at DESC, token",
                                        parameters: []).map { try TokenCredential(row: $0, sealer: sealer) }
        }
    }

    public func revokeAll(clientIdentifier: String) throws -> Int {
        let now = clock.now()
        return try database.write { connection in
            try connection.update("UPDATE token_credentials SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL",
                                  parameters: [now, clientIdentifier])
        }
    }
}
