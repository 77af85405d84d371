import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

/// Every store the provider uses, opened where a `StorageConfiguration` says: today the SQLite file `oauth1.sqlite` in
/// the data directory, with nonces in the nonce table `nonces/` or in `nonces.sqlite`. A class: every part is shared,
/// so handing the stores to a request is one reference rather than a copy of each store.
public final class ProviderStores: Sendable {
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
    let clock: any EpochClock

    /// The database file's name inside the data directory.
    public static let databaseFileName = "oauth1.sqlite"
    /// The nonce table's directory name inside the data directory.
    public static let nonceTableDirectoryName = "nonces"
    /// The file that holds nonces with `OAUTH1_NONCES=sqlite`; emptied by the purge also when an older binary left it.
    public static let nonceDatabaseFileName = "nonces.sqlite"

    /// Opens (creating as needed) the data directory, the database and the home of nonces.
    public init(_ storage: StorageConfiguration, clock: any EpochClock = SystemEpochClock(), hasher: PasswordHasher = .standard) throws {
        let dataDirectory = switch storage.data { case .sqlite(let directory): directory }
        try POSIXFile.makePrivateDirectory(dataDirectory)
        let database = try SQLiteDatabase(path: dataDirectory + "/" + Self.databaseFileName)
        self.dataDirectory = dataDirectory
        self.database = database
        self.clock = clock
        users = SQLiteUserStore(database: database, hasher: hasher, clock: clock)
        clients = SQLiteClientStore(database: database, clock: clock)
        tokenCredentials = SQLiteTokenCredentialStore(database: database, clock: clock)
        sessions = SQLiteSessionStore(database: database, clock: clock)
        loginThrottle = SQLiteLoginThrottle(database: database, clock: clock)
        temporaryCredentials = SQLiteTemporaryCredentialStore(database: database)
        switch storage.expiring {
        case .table:
            let table = try NonceTableStore(directory: dataDirectory + "/" + Self.nonceTableDirectoryName, clock: clock)
            nonceTable = table
            nonceDatabase = nil
            nonces = table
        case .sqlite:
            let nonceDatabase = try SQLiteDatabase(path: dataDirectory + "/" + Self.nonceDatabaseFileName, schema: .nonces)
            nonceTable = nil
            self.nonceDatabase = nonceDatabase
            nonces = SQLiteNonceStore(database: nonceDatabase)
        }
    }

    /// What a purge removed.
    public struct PurgeReport: Sendable, Equatable {
        /// Expired nonces removed.
        public var nonces = 0
        /// Expired temporary credentials removed.
        public var temporaryCredentials = 0
        /// Expired browser sessions and stale login counters removed.
        public var sessions = 0
    }

    /// Removes everything expired now, wherever it lives (the admin purge).
    @discardableResult
    public func purge() throws -> PurgeReport {
        let now = clock.now()
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
        report.temporaryCredentials = try SQLiteTemporaryCredentialStore(database: database).purge(expiredAt: now)
        report.sessions = try database.write { connection in
            try connection.update("DELETE FROM sessions WHERE expires_at <= ?", [now])
                + connection.update("DELETE FROM login_failures WHERE locked_until <= ? AND window_started_at <= ?", [now, now - 86_400])
        }
        _ = try database.write { try $0.update("INSERT INTO meta (key, value) VALUES ('last_purge', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(now)]) }
        return report
    }

    /// Copies each database's WAL back into its file if it has grown past the threshold; call it after a response is sent.
    public func checkpointIfDue() {
        database.checkpointIfDue()
        nonceDatabase?.checkpointIfDue()
    }

    /// Purges if no process has purged in the last `interval` seconds; the claim is one guarded write, so only one process of many does the work.
    @discardableResult
    public func purgeIfDue(interval: Int64 = 300) throws -> PurgeReport? {
        let now = clock.now()
        let claimed = try database.write { connection in
            try connection.update("INSERT INTO meta (key, value) VALUES ('last_purge', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(meta.value AS INTEGER) <= ?",
                                  [String(now), now - interval]) == 1
        }
        return claimed ? try purge() : nil
    }
}
