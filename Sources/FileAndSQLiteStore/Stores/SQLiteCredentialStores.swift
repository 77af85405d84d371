import ProviderCore
import ProviderStorage

/// Temporary credentials in SQLite; authorize and consume are single guarded statements inside immediate transactions, so they are atomic across processes.
public struct SQLiteTemporaryCredentialStore: TemporaryCredentialStore {
    let database: SQLiteDatabase

    /// Creates the store over an open database.
    public init(database: SQLiteDatabase) { self.database = database }

    public func save(_ credential: TemporaryCredential) throws {
        let userID = try credential.userID.map(databaseUserID)
        try database.write { connection in
            try connection.update("INSERT INTO temporary_credentials (token, secret, client_id, callback, requested_scopes, granted_scopes, user_id, verifier, expires_at, token_lifetime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  [credential.token, credential.secret, credential.clientIdentifier, credential.callback,
                                   credential.requestedScopes.spaceJoined, credential.grantedScopes.spaceJoined, userID,
                                   credential.verifier, credential.expiresAt, credential.tokenLifetime])
        }
    }

    public func temporaryCredential(token: String) throws -> TemporaryCredential? {
        try database.read { connection in
            try connection.query("SELECT token, secret, client_id, callback, requested_scopes, granted_scopes, user_id, verifier, expires_at, token_lifetime FROM temporary_credentials WHERE token = ?",
                                 [token]).first.map(Self.credential)
        }
    }

    public func authorize(token: String, userID: String, verifier: String, grantedScopes: [String]) throws -> Bool {
        let user = try databaseUserID(userID)
        return try database.write { connection in
            try connection.update("UPDATE temporary_credentials SET user_id = ?, verifier = ?, granted_scopes = ? WHERE token = ? AND user_id IS NULL AND verifier IS NULL",
                                  [user, verifier, grantedScopes.spaceJoined, token]) == 1
        }
    }

    public func consume(token: String) throws -> TemporaryCredential? {
        try database.write { connection in
            try connection.query("DELETE FROM temporary_credentials WHERE token = ? RETURNING token, secret, client_id, callback, requested_scopes, granted_scopes, user_id, verifier, expires_at, token_lifetime",
                                 [token]).first.map(Self.credential)
        }
    }

    /// Removes credentials that expired at or before `time`; returns how many.
    public func purge(expiredAt time: Int64) throws -> Int {
        try database.write { try $0.update("DELETE FROM temporary_credentials WHERE expires_at <= ?", [time]) }
    }

    private static func credential(_ row: SQLiteRow) -> TemporaryCredential {
        TemporaryCredential(token: row.text(0), secret: row.text(1), clientIdentifier: row.text(2), callback: row.text(3),
                            requestedScopes: row.text(4).spaceSeparated, grantedScopes: row.text(5).spaceSeparated,
                            tokenLifetime: row.optionalInteger(9), userID: row.optionalInteger(6).map(String.init),
                            verifier: row.optionalText(7), expiresAt: row.integer(8))
    }
}

/// Token credentials in SQLite: persistent, revocable. Look-ups are cached per process until any process commits to the
/// database (`SnapshotCache`), so a revocation takes effect with its commit.
public struct SQLiteTokenCredentialStore: TokenCredentialRegistry {
    let database: SQLiteDatabase
    /// The clock revocations are stamped with.
    public let clock: any EpochClock
    private let cache = SnapshotCache<TokenCredential>()

    /// Creates the store over an open database.
    public init(database: SQLiteDatabase, clock: any EpochClock = SystemEpochClock()) {
        self.database = database
        self.clock = clock
    }

    public func save(_ credential: TokenCredential) throws {
        let userID = try databaseUserID(credential.userID)
        try database.write { connection in
            try connection.update("INSERT INTO token_credentials (token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  [credential.token, credential.secret, credential.clientIdentifier, userID, credential.scopes.spaceJoined,
                                   credential.createdAt, credential.lastUsedAt, credential.isRevoked ? credential.createdAt : nil,
                                   credential.expiresAt])
        }
    }

    public func tokenCredential(token: String) throws -> TokenCredential? {
        try database.cachedRead(cache, key: token) { connection in
            try connection.query("SELECT token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at FROM token_credentials WHERE token = ?",
                                 [token]).first.map(Self.credential)
        }
    }

    public func recordUse(token: String, at time: Int64) throws {
        try database.write { try $0.update("UPDATE token_credentials SET last_used_at = ? WHERE token = ?", [time, token]) }
    }

    public func revoke(token: String) throws -> Bool {
        let now = clock.now()
        return try database.write { connection in
            try connection.update("UPDATE token_credentials SET revoked_at = coalesce(revoked_at, ?) WHERE token = ?", [now, token]) > 0
        }
    }

    public func all(userID: Int64?) throws -> [TokenCredential] {
        try database.read { connection in
            if let userID {
                return try connection.query("SELECT token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at FROM token_credentials WHERE user_id = ? ORDER BY created_at DESC, token",
                                            [userID]).map(Self.credential)
            }
            return try connection.query("SELECT token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at FROM token_credentials ORDER BY created_at DESC, token").map(Self.credential)
        }
    }

    public func revokeAll(clientIdentifier: String) throws -> Int {
        let now = clock.now()
        return try database.write { connection in
            try connection.update("UPDATE token_credentials SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL", [now, clientIdentifier])
        }
    }

    static func credential(_ row: SQLiteRow) -> TokenCredential {
        TokenCredential(token: row.text(0), secret: row.text(1), clientIdentifier: row.text(2), userID: String(row.integer(3)),
                        scopes: row.text(4).spaceSeparated, createdAt: row.integer(5), lastUsedAt: row.optionalInteger(6),
                        isRevoked: row.optionalInteger(7) != nil, expiresAt: row.optionalInteger(8))
    }
}
