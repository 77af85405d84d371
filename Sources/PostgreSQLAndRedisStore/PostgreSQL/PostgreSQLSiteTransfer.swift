import ProviderCore
import ProviderStorage

extension PostgreSQLStores {
    public func exportSite(now: Int64) throws -> SiteExport {
        let key = try sessionSigningKey()
        return try database.transaction { connection in
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return try SiteExport(reading: PostgreSQLStatements(connection: connection), now: now, sessionSigningKey: key, sealer: secrets)
        }
    }

    public func isEmpty() throws -> Bool {
        try database.withConnection { connection in
            try connection.query("SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM clients) AND NOT EXISTS (SELECT 1 FROM token_credentials)")
                .first?.boolean(0) ?? false
        }
    }

    public func importSite(_ site: SiteExport) throws {
        guard site.sessionSigningKey.count == 32 else {
            throw StoreInputError(message: "the session signing key to import is \(site.sessionSigningKey.count) bytes, not 32")
        }
        try database.transaction { connection in
            // Under the lock of the tables written, so that two imports at once cannot both find the database empty.
            try connection.execute("LOCK TABLE users, clients, token_credentials IN EXCLUSIVE MODE")
            let empty = try connection.query("SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM clients) AND NOT EXISTS (SELECT 1 FROM token_credentials)")
                .first?.boolean(0) ?? false
            guard empty else {
                throw StoreInputError(message: "PostgreSQL at \(location) already holds users, clients or token credentials; import into an empty database")
            }
            for user in site.users {
                try connection.update("INSERT INTO users (id, username, password_hash, created_at) VALUES ($1, $2, $3, $4)",
                                      [user.record.id, user.record.username, user.passwordHash, user.record.createdAt])
            }
            try connection.query("SELECT setval(pg_get_serial_sequence('users', 'id'), coalesce((SELECT max(id) FROM users), 0) + 1, false)")
            for client in site.clients {
                try connection.update("INSERT INTO clients (\(ClientRecord.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                                      [client.identifier, try secrets.seal(client.secret, owner: .client(client.identifier)), client.name, client.description, client.ownerUserID,
                                       client.storedCallbackURIs, client.rsaPublicKeyPEM, client.allowsTwoLegged,
                                       client.createdAt, client.isDisabled, client.requiresBodyHash])
            }
            for token in site.tokenCredentials {
                try connection.update("INSERT INTO token_credentials (\(TokenCredential.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                                      [token.token, try secrets.seal(token.secret, owner: .tokenCredential(token.token)), token.clientIdentifier, try databaseUserID(token.userID),
                                       token.scopes.spaceJoined, token.createdAt, token.lastUsedAt,
                                       token.isRevoked ? token.createdAt : nil, token.expiresAt])
            }
            try connection.update("INSERT INTO meta (key, value) VALUES ('session_signing_key', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                  [Digest.hex(site.sessionSigningKey)])
        }
    }
}
