import ProviderCore
import ProviderStorage
#if canImport(Glibc)
import Glibc
#endif

/// The SQLite backend: `oauth1.sqlite` in the data directory, with nonces in the nonce table `nonces/` or in
/// `nonces.sqlite`, and the session key in `session.key`. `providerStores()` hands the application its stores.
public final class SQLiteStores: StorageBackend {
    /// The data directory (created 0700).
    public let dataDirectory: String
    /// The database.
    public let database: SQLiteDatabase
    /// The nonce table, when nonces live there (`OAUTH1_NONCES=table`).
    public let nonceTable: NonceTableStore?
    /// The nonce database, when nonces live there (`OAUTH1_NONCES=sqlite`).
    public let nonceDatabase: SQLiteDatabase?
    /// Users.
    public let users: SQLiteUserStore
    /// Clients.
    public let clients: SQLiteClientStore
    /// Token credentials.
    public let tokenCredentials: SQLiteTokenCredentialStore
    /// Browser sessions.
    public let sessions: SQLiteSessionStore
    /// Failed sign-in counters.
    public let loginThrottle: SQLiteLoginThrottle
    /// Temporary credentials.
    public let temporaryCredentials: any TemporaryCredentialStore
    /// Nonces, in the nonce table or SQLite.
    public let nonces: any NonceStore
    /// Seals client and token secrets under the secrets key file.
    public let secrets: SecretSealer
    let clock: any EpochClock

    /// The database file's name inside the data directory.
    public static let databaseFileName = "oauth1.sqlite"
    /// The nonce table's directory name inside the data directory.
    public static let nonceTableDirectoryName = "nonces"
    /// The file that holds nonces with `OAUTH1_NONCES=sqlite`; emptied by the purge also when an older binary left it.
    public static let nonceDatabaseFileName = "nonces.sqlite"
    /// The secrets key file's name inside the data directory, when `OAUTH1_SECRETS_KEY_FILE` names none.
    public static let secretsKeyFileName = "secrets.key"

    /// Opens (creating as needed) the data directory, the database and the home of nonces; with Redis named for nonces
    /// and temporary credentials, nonces get no file here.
    public init(_ storage: StorageConfiguration, clock: any EpochClock = SystemEpochClock(), hasher: PasswordHasher = .standard) throws {
        guard case .sqlite(let dataDirectory) = storage.data else {
            throw StoreInputError(message: "the SQLite backend needs a data directory, not a database URL")
        }
        try POSIXFile.makePrivateDirectory(dataDirectory)
        let database = try SQLiteDatabase(path: dataDirectory + "/" + Self.databaseFileName)
        self.dataDirectory = dataDirectory
        self.database = database
        self.clock = clock
        // The key file is made on first use only while the database holds no sealed secret: a lost key file must not be
        // replaced by a new key that opens nothing. The check reads through a connection of its own, since the first use
        // may come inside a transaction of this one.
        let path = database.path
        secrets = SecretSealer(keyFile: storage.secretsKeyFile ?? dataDirectory + "/" + Self.secretsKeyFileName,
                               mayCreate: { try SQLiteBackup.inspect(path).secretsKeyIdentifiers.isEmpty })
        users = SQLiteUserStore(database: database, hasher: hasher, clock: clock)
        clients = SQLiteClientStore(database: database, sealer: secrets, clock: clock)
        tokenCredentials = SQLiteTokenCredentialStore(database: database, sealer: secrets, clock: clock)
        sessions = SQLiteSessionStore(database: database, clock: clock)
        loginThrottle = SQLiteLoginThrottle(database: database, clock: clock)
        temporaryCredentials = SQLiteTemporaryCredentialStore(database: database, sealer: secrets)
        switch storage.expiring {
        case .table, .redis:
            let table = try NonceTableStore(directory: dataDirectory + "/" + Self.nonceTableDirectoryName, clock: clock)
            nonceTable = table
            nonceDatabase = nil
            nonces = table
        case .sqlite, .database:
            let nonceDatabase = try SQLiteDatabase(path: dataDirectory + "/" + Self.nonceDatabaseFileName, schema: .nonces)
            nonceTable = nil
            self.nonceDatabase = nonceDatabase
            nonces = SQLiteNonceStore(database: nonceDatabase)
        }
    }

    /// The stores, for the application: with `expiring` given (Redis), nonces and temporary credentials from there.
    public func providerStores(expiring: (nonces: any NonceStore, temporaryCredentials: any TemporaryCredentialStore,
                                          backend: any ExpiringStateBackend)? = nil) -> ProviderStores {
        ProviderStores(users: users, clients: clients, tokenCredentials: tokenCredentials,
                       temporaryCredentials: expiring?.temporaryCredentials ?? temporaryCredentials, nonces: expiring?.nonces ?? nonces,
                       sessions: sessions, loginThrottle: loginThrottle, backend: self, expiringBackend: expiring?.backend, clock: clock)
    }

    public func sealSecrets() throws -> SecretSealingReport { try database.sealSecrets(with: secrets) }

    public func holdsSealedSecrets() throws -> Bool { try database.holdsSealedSecrets() }

    public var kind: String { "sqlite" }

    public var location: String { database.path }

    public var lookups: any LookupScope { database }

    public func schemaVersion() throws -> Int { try database.schemaVersion() }

    public func sessionSigningKey() throws -> [UInt8] {
        try SessionKeyFile.load(path: dataDirectory + "/" + Self.sessionKeyFileName)
    }

    /// The session key's file name inside the data directory.
    public static let sessionKeyFileName = "session.key"

    public func purge(now: Int64) throws -> PurgeReport {
        var report = PurgeReport()
        report.nonces = try nonceTable?.purge(expiredAt: now) ?? 0
        // Nonces in nonces.sqlite (OAUTH1_NONCES=sqlite, or left by an older binary) and in oauth1.sqlite's old table
        // drain away with the rest.
        report.nonces += try SQLiteNonceStore(database: database).purge(expiredAt: now)
        let oldNonceFile = dataDirectory + "/" + Self.nonceDatabaseFileName
        if let nonceDatabase {
            report.nonces += try SQLiteNonceStore(database: nonceDatabase).purge(expiredAt: now)
        } else if access(oldNonceFile, F_OK) == 0 {
            report.nonces += try SQLiteNonceStore(database: SQLiteDatabase(path: oldNonceFile, schema: .nonces)).purge(expiredAt: now)
        }
        report.temporaryCredentials = try SQLiteTemporaryCredentialStore(database: database, sealer: secrets).purge(expiredAt: now)
        report.sessions = try database.write { connection in
            try connection.update("DELETE FROM sessions WHERE expires_at <= ?", [now])
                + connection.update("DELETE FROM login_failures WHERE locked_until <= ? AND window_started_at <= ?", [now, now - 86_400])
        }
        _ = try database.write { try $0.update("INSERT INTO meta (key, value) VALUES ('last_purge', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(now)]) }
        return report
    }

    /// Removes everything expired now (the admin purge and tests).
    @discardableResult
    public func purge() throws -> PurgeReport { try purge(now: clock.now()) }

    public func claimPurge(now: Int64, interval: Int64) throws -> Bool {
        try database.write { connection in
            try connection.update("INSERT INTO meta (key, value) VALUES ('last_purge', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(meta.value AS INTEGER) <= ?",
                                  [String(now), now - interval]) == 1
        }
    }

    /// Copies each database's WAL back into its file if it has grown past the threshold.
    public func afterResponse() {
        database.checkpointIfDue()
        nonceDatabase?.checkpointIfDue()
    }

    /// Nothing to do: the files close with this object, and a forked worker opens its own.
    public func close() {}
}

extension SQLiteStores: SiteExporting {
    public func exportSite(now: Int64) throws -> SiteExport {
        let key = try sessionSigningKey()
        return try database.read { connection in
            try connection.beginRead()
            defer { try? connection.commit() }
            return try SiteExport(reading: connection, now: now, sessionSigningKey: key, sealer: secrets)
        }
    }
}
