import CLibPQ
import ProviderCore
import ProviderStorage
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL backend, for any number of hosts: every durable store, and nonces and temporary credentials unless
/// Redis holds them. Each process keeps one connection, opened on first use; `providerStores()` hands the application its
/// stores.
///
/// A protected request costs, with warm caches, no round trip for the cached client and token credential (changes arrive
/// as notifications; the cache version is read once per check interval) and one for the nonce insert (none here when Redis
/// holds nonces); a change adds one per record read again, and recording a token's use, at most once per interval per
/// process, adds one.
public final class PostgreSQLStores: StorageBackend, SiteImporting, SiteExporting {
    /// The connection and the caches' freshness.
    public let database: PostgreSQLDatabase
    /// Users.
    public let users: PostgreSQLUserStore
    /// Clients.
    public let clients: PostgreSQLClientStore
    /// Token credentials.
    public let tokenCredentials: PostgreSQLTokenCredentialStore
    /// Temporary credentials, when the database holds them.
    public let temporaryCredentials: PostgreSQLTemporaryCredentialStore
    /// Nonces, when the database holds them.
    public let nonces: PostgreSQLNonceStore
    /// Browser sessions.
    public let sessions: PostgreSQLSessionStore
    /// Failed sign-in counters.
    public let loginThrottle: PostgreSQLLoginThrottle
    /// Seals client and token secrets under the secrets key file.
    public let secrets: SecretSealer
    let clock: any EpochClock
    let random: any RandomSource

    /// Prepares the stores for a libpq URI, with secrets sealed under the keys in `secretsKeyFile`; connects lazily (no connection in init; init only validates what it can cheaply).
    /// Cached records are trusted for `cacheCheckInterval` milliseconds without reading the cache version, unless a change
    /// notification arrives first; 0 reads it for every request.
    public init(url: String, secretsKeyFile: String, clock: any EpochClock = SystemEpochClock(), hasher: PasswordHasher = .standard,
                cacheCheckInterval: Int64 = 1000) throws {
        // Loading libpq here, rather than at the first query, makes a missing library a start-up error.
        let libpq = try LibPQ.load()
        var message: UnsafeMutablePointer<CChar>?
        guard let options = libpq.PQconninfoParse(url, &message) else {
            // libpq's message may quote the string, password included: it is left out.
            if let message { libpq.PQfreemem(message) }
            throw StoreInputError(message: "the PostgreSQL connection string '\(redactedURL(url))' is not one libpq accepts; use postgresql://user@host/database")
        }
        libpq.PQconninfoFree(options)
        let database = PostgreSQLDatabase(url: url, location: redactedURL(url), libpq: libpq,
                                          versionCheckInterval: max(0, cacheCheckInterval) * 1_000_000)
        self.database = database
        self.clock = clock
        random = SystemRandomSource()
        // Hosts never make the key file: each would make its own. `migrate` does, once (`createSecretsKeyFileIfNew`).
        secrets = SecretSealer(keyFile: secretsKeyFile)
        users = PostgreSQLUserStore(database: database, hasher: hasher, clock: clock)
        clients = PostgreSQLClientStore(database: database, sealer: secrets, clock: clock)
        tokenCredentials = PostgreSQLTokenCredentialStore(database: database, sealer: secrets, clock: clock)
        temporaryCredentials = PostgreSQLTemporaryCredentialStore(database: database, sealer: secrets)
        nonces = PostgreSQLNonceStore(database: database)
        sessions = PostgreSQLSessionStore(database: database, clock: clock)
        loginThrottle = PostgreSQLLoginThrottle(database: database, clock: clock)
    }

    /// The stores for the application; with `expiring` given (Redis), nonces and temporary credentials come from there.
    public func providerStores(expiring: (nonces: any NonceStore, temporaryCredentials: any TemporaryCredentialStore,
                                          backend: any ExpiringStateBackend)? = nil) -> ProviderStores {
        ProviderStores(users: users, clients: clients, tokenCredentials: tokenCredentials,
                       temporaryCredentials: expiring?.temporaryCredentials ?? temporaryCredentials, nonces: expiring?.nonces ?? nonces,
                       sessions: sessions, loginThrottle: loginThrottle, backend: self, expiringBackend: expiring?.backend, clock: clock)
    }

    /// Creates or upgrades the schema; returns the version. Safe when many hosts/processes run it at once.
    public func migrate() throws -> Int {
        // The first use of a connection migrates; this makes sure the database is at this binary's version.
        try database.withConnection { connection in
            let found = try PostgreSQLSchema.storedVersion(connection)
            return found < PostgreSQLSchema.version ? try PostgreSQLSchema.migrate(connection) : found
        }
    }

    /// Closes this process's connection (the supervisor calls it before forking workers).
    public func close() { database.close() }

    public func sealSecrets() throws -> SecretSealingReport { try database.sealSecrets(with: secrets) }

    public func holdsSealedSecrets() throws -> Bool { try database.holdsSealedSecrets() }

    public var kind: String { "postgresql" }

    public var location: String { database.location }

    public var lookups: any LookupScope { database }

    public func schemaVersion() throws -> Int {
        try database.withConnection { try PostgreSQLSchema.storedVersion($0) }
    }

    /// The session key: 32 random bytes kept as hexadecimal in `meta`; the first host to ask stores its own, and every
    /// host then reads that one.
    public func sessionSigningKey() throws -> [UInt8] {
        let stored = try database.withConnection { connection -> String? in
            let select = "SELECT value FROM meta WHERE key = 'session_signing_key'"
            if let existing = try connection.query(select).first?.text(0) { return existing }
            var key = [UInt8](repeating: 0, count: 32)
            random.fill(&key)
            try connection.update("INSERT INTO meta (key, value) VALUES ('session_signing_key', $1) ON CONFLICT (key) DO NOTHING",
                                  [Digest.hex(key)])
            return try connection.query(select).first?.text(0)
        }
        guard let stored, stored.utf8.count == 64, let bytes = Digest.bytes(fromHex: stored) else {
            throw StoreInputError(message: "PostgreSQL at \(location) holds a session signing key that is not 64 hexadecimal digits; delete the meta row 'session_signing_key' to make a new one")
        }
        return bytes
    }

    public func purge(now: Int64) throws -> PurgeReport {
        var report = PurgeReport()
        report.nonces = try nonces.purge(expiredAt: now)
        report.temporaryCredentials = try temporaryCredentials.purge(expiredAt: now)
        report.sessions = try database.withConnection { connection in
            try connection.update("DELETE FROM sessions WHERE expires_at <= $1", [now])
                + connection.update("DELETE FROM login_failures WHERE locked_until <= $1 AND window_started_at <= $2", [now, now - 86_400])
        }
        try database.withConnection { connection in
            try connection.update("INSERT INTO meta (key, value) VALUES ('last_purge', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                  [String(now)])
        }
        return report
    }

    /// Removes everything expired now (the admin purge and tests).
    @discardableResult
    public func purge() throws -> PurgeReport { try purge(now: clock.now()) }

    public func claimPurge(now: Int64, interval: Int64) throws -> Bool {
        try database.withConnection { connection in
            try connection.update("INSERT INTO meta (key, value) VALUES ('last_purge', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(meta.value AS BIGINT) <= $2",
                                  [String(now), now - interval]) == 1
        }
    }

    /// Nothing to do after a response: PostgreSQL keeps its own house.
    public func afterResponse() {}
}
