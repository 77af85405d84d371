import ProviderCore
import ProviderStorage

/// Temporary credentials in PostgreSQL; authorize is one guarded UPDATE and consume one `DELETE ... RETURNING`, so each
/// succeeds once across every host.
public struct PostgreSQLTemporaryCredentialStore: TemporaryCredentialStore {
    let database: PostgreSQLDatabase

    static let columns = "token, secret, client_id, callback, requested_scopes, granted_scopes, user_id, verifier, expires_at, token_lifetime"

    /// Creates the store over a database.
    public init(database: PostgreSQLDatabase) { self.database = database }

    public func save(_ credential: TemporaryCredential) throws {
        let userID = try credential.userID.map(databaseUserID)
        try database.withConnection { connection in
            try connection.update("INSERT INTO temporary_credentials (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                                  [credential.token, credential.secret, credential.clientIdentifier, credential.callback,
                                   credential.requestedScopes.spaceJoined, credential.grantedScopes.spaceJoined, userID,
                                   credential.verifier, credential.expiresAt, credential.tokenLifetime])
        }
    }

    public func temporaryCredential(token: String) throws -> TemporaryCredential? {
        try database.withConnection { connection in
            try connection.query("SELECT \(Self.columns) FROM temporary_credentials WHERE token = $1", [token]).first.map(Self.credential)
        }
    }

    public func authorize(token: String, userID: String, verifier: String, grantedScopes: [String]) throws -> Bool {
        let user = try databaseUserID(userID)
        return try database.withConnection { connection in
            try connection.update("UPDATE temporary_credentials SET user_id = $1, verifier = $2, granted_scopes = $3 WHERE token = $4 AND user_id IS NULL AND verifier IS NULL",
                                  [user, verifier, grantedScopes.spaceJoined, token]) == 1
        }
    }

    public func consume(token: String) throws -> TemporaryCredential? {
        try database.withConnection { connection in
            try connection.query("DELETE FROM temporary_credentials WHERE token = $1 RETURNING \(Self.columns)", [token]).first.map(Self.credential)
        }
    }

    /// Removes credentials that expired at or before `time`; returns how many.
    public func purge(expiredAt time: Int64) throws -> Int {
        try database.withConnection { try $0.update("DELETE FROM temporary_credentials WHERE expires_at <= $1", [time]) }
    }

    private static func credential(_ row: PostgreSQLRow) -> TemporaryCredential {
        TemporaryCredential(token: row.text(0), secret: row.text(1), clientIdentifier: row.text(2), callback: row.text(3),
                            requestedScopes: row.text(4).spaceSeparated, grantedScopes: row.text(5).spaceSeparated,
                            tokenLifetime: row.optionalInteger(9), userID: row.optionalInteger(6).map(String.init),
                            verifier: row.optionalText(7), expiresAt: row.integer(8))
    }
}
