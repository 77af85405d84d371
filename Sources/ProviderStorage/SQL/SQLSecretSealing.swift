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

/// A table whose rows hold one secret each: how to read a batch of those not sealed under a key, how to write one back
/// only if it still holds what was read, and whose secret it is.
struct SealedSecretColumn: Sendable {
    let select: StaticString
    let update: StaticString
    let owner: @Sendable (String) -> SecretOwner

    /// Client secrets, token-credential secrets and temporary-credential secrets, in the order of `SecretSealingReport`.
    static let all = [
        SealedSecretColumn(select: "SELECT client_id, secret FROM clients WHERE secret NOT LIKE ? LIMIT 500",
                           update: "UPDATE clients SET secret = ? WHERE client_id = ? AND secret = ?", owner: { .client($0) }),
        SealedSecretColumn(select: "SELECT token, secret FROM token_credentials WHERE secret NOT LIKE ? LIMIT 500",
                           update: "UPDATE token_credentials SET secret = ? WHERE token = ? AND secret = ?", owner: { .tokenCredential($0) }),
        SealedSecretColumn(select: "SELECT token, secret FROM temporary_credentials WHERE secret NOT LIKE ? LIMIT 500",
                           update: "UPDATE temporary_credentials SET secret = ? WHERE token = ? AND secret = ?", owner: { .temporaryCredential($0) }),
    ]
}

extension SQLDatabase {
    /// Seals under the ring's sealing key every stored secret that is in clear (stored by an older version) or sealed
    /// under another key, a few hundred rows per transaction so that the site serves meanwhile; each row is written only
    /// if it still holds what was read, and passes repeat until none is left.
    public func sealSecrets(with sealer: SecretSealer) throws -> SecretSealingReport {
        var report = SecretSealingReport()
        while true {
            // The file is read again once per pass (a rotation has just changed it), not once per row.
            let key = try sealer.reload().sealingKey
            let pattern = SealedSecret.prefix + key.identifier + ":%"
            let sealed = try SealedSecretColumn.all.map { column in
                try write { connection in
                    try connection.query(column.select, parameters: [pattern]).map { row in
                        let owner = column.owner(row.text(0))
                        let resealed = try SecretSealer.seal(try sealer.open(row.text(1), owner: owner), owner: owner, key: key)
                        return try connection.update(column.update, parameters: [resealed, row.text(0), row.text(1)])
                    }.reduce(0, +)
                }
            }
            report.clients += sealed[0]
            report.tokenCredentials += sealed[1]
            report.temporaryCredentials += sealed[2]
            // Nothing changed: either nothing is left, or only rows that changed under this pass, which the next one takes.
            if sealed.reduce(0, +) == 0, try !holdsSecrets(notSealedWith: pattern) { return report }
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
