import ProviderCore

/// How many stored secrets a sealing pass sealed again, by table.
public struct SecretSealingReport: Sendable, Equatable {
    /// Client secrets.
    public var clients = 0
    /// Token credential secrets.
    public var tokenCredentials = 0
    /// Temporary credential secrets.
    public var temporaryCredentials = 0

    /// An empty report.
    public init() {}

    /// All of them.
    public var total: Int { clients + tokenCredentials + temporaryCredentials }
}

extension SQLDatabase {
    /// Seals under the ring's sealing key every stored secret that is in clear (stored by an older version) or sealed
    /// under another key, a few hundred rows per transaction so that the site serves meanwhile; each row is written only
    /// if it still holds what was read, and passes repeat until none is left.
    public func sealSecrets(with sealer: SecretSealer) throws -> SecretSealingReport {
        var report = SecretSealingReport()
        while true {
            // The file is read again first: a rotation has just changed it.
            let pattern = SealedSecret.prefix + (try sealer.reload().sealingKey.identifier) + ":%"
            let clients = try write { connection in
                try connection.query("SELECT client_id, secret FROM clients WHERE secret NOT LIKE ? LIMIT 500", parameters: [pattern]).map { row in
                    let owner = SecretOwner.client(row.text(0))
                    let sealed = try sealer.seal(try sealer.open(row.text(1), owner: owner), owner: owner)
                    return try connection.update("UPDATE clients SET secret = ? WHERE client_id = ? AND secret = ?",
                                                 parameters: [sealed, row.text(0), row.text(1)])
                }.reduce(0, +)
            }
            let tokens = try write { connection in
                try connection.query("SELECT token, secret FROM token_credentials WHERE secret NOT LIKE ? LIMIT 500", parameters: [pattern]).map { row in
                    let owner = SecretOwner.tokenCredential(row.text(0))
                    let sealed = try sealer.seal(try sealer.open(row.text(1), owner: owner), owner: owner)
                    return try connection.update("UPDATE token_credentials SET secret = ? WHERE token = ? AND secret = ?",
                                                 parameters: [sealed, row.text(0), row.text(1)])
                }.reduce(0, +)
            }
            let temporary = try write { connection in
                try connection.query("SELECT token, secret FROM temporary_credentials WHERE secret NOT LIKE ? LIMIT 500", parameters: [pattern]).map { row in
                    let owner = SecretOwner.temporaryCredential(row.text(0))
                    let sealed = try sealer.seal(try sealer.open(row.text(1), owner: owner), owner: owner)
                    return try connection.update("UPDATE temporary_credentials SET secret = ? WHERE token = ? AND secret = ?",
                                                 parameters: [sealed, row.text(0), row.text(1)])
                }.reduce(0, +)
            }
            report.clients += clients
            report.tokenCredentials += tokens
            report.temporaryCredentials += temporary
            if clients + tokens + temporary == 0 {
                // Nothing changed: either nothing is left, or only rows that changed under this pass, which the next one takes.
                if try !holdsSecrets(notSealedWith: pattern) { return report }
            }
        }
    }

    /// Whether any stored secret is not sealed under the key `pattern` (`enc1:KEYID:%`) names.
    func holdsSecrets(notSealedWith pattern: String) throws -> Bool {
        try read { connection in
            try !connection.query("SELECT 1 FROM clients WHERE secret NOT LIKE ? UNION ALL SELECT 1 FROM token_credentials WHERE secret NOT LIKE ? UNION ALL SELECT 1 FROM temporary_credentials WHERE secret NOT LIKE ? LIMIT 1",
                                  parameters: [pattern, pattern, pattern]).isEmpty
        }
    }

    /// Whether any stored secret is sealed (under any key): a database that does, needs the key file it was sealed with.
    public func holdsSealedSecrets() throws -> Bool {
        let pattern = SealedSecret.prefix + "%"
        return try read { connection in
            try !connection.query("SELECT 1 FROM clients WHERE secret LIKE ? UNION ALL SELECT 1 FROM token_credentials WHERE secret LIKE ? UNION ALL SELECT 1 FROM temporary_credentials WHERE secret LIKE ? LIMIT 1",
                                  parameters: [pattern, pattern, pattern]).isEmpty
        }
    }
}
