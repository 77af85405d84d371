import ProviderCore

extension SiteExport {
    /// Reads a site from an SQL database, in whatever transaction `connection` is in: every user with their password
    /// hash, every client, and the token credentials neither revoked nor expired at `now`, secrets opened by `sealer`.
    public init(reading connection: some SQLConnection, now: Int64, sessionSigningKey: [UInt8], sealer: SecretSealer) throws {
        let users = try connection.query("SELECT id, username, created_at, password_hash FROM users ORDER BY id", parameters: []).map { row in
            User(record: UserRecord(row: row), passwordHash: row.text(3))
        }
        let clients = try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients ORDER BY created_at, client_id",
                                           parameters: []).map { try ClientRecord(row: $0, sealer: sealer) }
        let tokens = try connection.query("SELECT token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at FROM token_credentials WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at, token",
                                          parameters: [now]).map { try TokenCredential(row: $0, sealer: sealer) }
        self.init(users: users, clients: clients, tokenCredentials: tokens, sessionSigningKey: sessionSigningKey)
    }
}
