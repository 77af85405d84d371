import ProviderCore

// Records read back from the columns the shared SQL stores select, in the order they select them.

extension UserRecord {
    /// A user from `id, username, created_at`.
    public init(row: some SQLRow) {
        self.init(id: row.integer(0), username: row.text(1), createdAt: row.integer(2))
    }
}

extension ClientRecord {
    /// The columns a client is read from, in `init(row:)`'s order.
    public static let columns = "client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash"

    /// A client from `ClientRecord.columns`.
    public init(row: some SQLRow) {
        self.init(identifier: row.text(0), secret: row.text(1), name: row.text(2), description: row.text(3),
                  ownerUserID: row.optionalInteger(4), callbackURIs: row.text(5).lineSeparated, rsaPublicKeyPEM: row.optionalText(6),
                  allowsTwoLegged: row.boolean(7), createdAt: row.integer(8), isDisabled: row.boolean(9),
                  requiresBodyHash: row.boolean(10))
    }

    /// A client from `ClientRecord.columns`, its secret opened.
    public init(row: some SQLRow, sealer: SecretSealer) throws {
        self.init(row: row)
        secret = try sealer.open(secret, owner: .client(identifier))
    }

    /// The callback URIs as stored: one per line.
    public var storedCallbackURIs: String { callbackURIs.joined(separator: "\n") }
}

extension TokenCredential {
    /// The columns a token credential is read from, in `init(row:)`'s order.
    public static let columns = "token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at"

    /// A token credential from `TokenCredential.columns`; a revoked one is one with a `revoked_at`.
    public init(row: some SQLRow) {
        self.init(token: row.text(0), secret: row.text(1), clientIdentifier: row.text(2), userID: String(row.integer(3)),
                  scopes: row.text(4).spaceSeparated, createdAt: row.integer(5), lastUsedAt: row.optionalInteger(6),
                  isRevoked: row.optionalInteger(7) != nil, expiresAt: row.optionalInteger(8))
    }

    /// A token credential from `TokenCredential.columns`, its secret opened.
    public init(row: some SQLRow, sealer: SecretSealer) throws {
        self.init(row: row)
        secret = try sealer.open(secret, owner: .tokenCredential(token))
    }
}

extension TemporaryCredential {
    /// A temporary credential from `token, secret, client_id, callback, requested_scopes, granted_scopes, user_id,
    /// verifier, expires_at, token_lifetime`.
    public init(row: some SQLRow) {
        self.init(token: row.text(0), secret: row.text(1), clientIdentifier: row.text(2), callback: row.text(3),
                  requestedScopes: row.text(4).spaceSeparated, grantedScopes: row.text(5).spaceSeparated,
                  tokenLifetime: row.optionalInteger(9), userID: row.optionalInteger(6).map(String.init),
                  verifier: row.optionalText(7), expiresAt: row.integer(8))
    }

    /// A temporary credential from the same columns, its secret opened.
    public init(row: some SQLRow, sealer: SecretSealer) throws {
        self.init(row: row)
        secret = try sealer.open(secret, owner: .temporaryCredential(token))
    }
}

extension SessionRecord {
    /// A session from `id_hash, user_id, csrf_token, expires_at`.
    public init(row: some SQLRow) {
        self.init(idHash: row.text(0), userID: row.optionalInteger(1), csrfToken: row.text(2), expiresAt: row.integer(3))
    }
}
