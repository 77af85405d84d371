import ProviderCore
import ProviderStorage

/// Token credentials in PostgreSQL: persistent, revocable. Look-ups are cached per process while the database's cache
/// version is unchanged (`VersionedCache`); a revocation bumps it, so it takes effect on every host at its next request.
/// Recording a use does not bump it (it happens on every host all the time); the cached copy is updated in place.
public struct PostgreSQLTokenCredentialStore: TokenCredentialRegistry {
    let database: PostgreSQLDatabase
    /// The clock revocations are stamped with.
    public let clock: any EpochClock
    private let cache = VersionedCache<TokenCredential>()

    static let columns = "token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at"

    /// Creates the store over a database.
    public init(database: PostgreSQLDatabase, clock: any EpochClock = SystemEpochClock()) {
        self.database = database
        self.clock = clock
    }

    public func save(_ credential: TokenCredential) throws {
        let userID = try databaseUserID(credential.userID)
        try database.withConnection { connection in
            try connection.update("INSERT INTO token_credentials (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                                  [credential.token, credential.secret, credential.clientIdentifier, userID, credential.scopes.spaceJoined,
                                   credential.createdAt, credential.lastUsedAt, credential.isRevoked ? credential.createdAt : nil,
                                   credential.expiresAt])
        }
    }

    public func tokenCredential(token: String) throws -> TokenCredential? {
        try database.cachedRead(cache, key: token) { connection in
            try connection.query("SELECT \(Self.columns) FROM token_credentials WHERE token = $1", [token]).first.map(Self.credential)
        }
    }

    public func recordUse(token: String, at time: Int64) throws {
        try database.withConnection { try $0.update("UPDATE token_credentials SET last_used_at = $1 WHERE token = $2", [time, token]) }
        cache.modify(token) { $0.lastUsedAt = time }
    }

    public func revoke(token: String) throws -> Bool {
        let now = clock.now()
        return try database.withConnection { connection in
            try connection.update("UPDATE token_credentials SET revoked_at = coalesce(revoked_at, $1) WHERE token = $2", [now, token]) > 0
        }
    }

    public func all(userID: Int64?) throws -> [TokenCredential] {
        try database.withConnection { connection in
            if let userID {
                return try connection.query("SELECT \(Self.columns) FROM token_credentials WHERE user_id = $1 ORDER BY created_at DESC, token",
                                            [userID]).map(Self.credential)
            }
            return try connection.query("SELECT \(Self.columns) FROM token_credentials ORDER BY created_at DESC, token").map(Self.credential)
        }
    }

    public func revokeAll(clientIdentifier: String) throws -> Int {
        let now = clock.now()
        return try database.withConnection { connection in
            try connection.update("UPDATE token_credentials SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL", [now, clientIdentifier])
        }
    }

    static func credential(_ row: PostgreSQLRow) -> TokenCredential {
        TokenCredential(token: row.text(0), secret: row.text(1), clientIdentifier: row.text(2), userID: String(row.integer(3)),
                        scopes: row.text(4).spaceSeparated, createdAt: row.integer(5), lastUsedAt: row.optionalInteger(6),
                        isRevoked: row.optionalInteger(7) != nil, expiresAt: row.optionalInteger(8))
    }
}
