import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

/// Where temporary credentials and nonces live (`OAUTH1_CACHE`): the SQLite database and the nonce table, or a file
/// cache directory.
public enum CacheBackend: Sendable, Equatable {
    /// Temporary credentials in the database, beside clients, users and tokens; nonces in the nonce table (the default).
    case sqlite
    /// In files under this directory.
    case file(directory: String)

    /// Parses `sqlite` or `file:DIR`; a relative DIR is taken inside the data directory.
    public init(setting: String, dataDirectory: String) throws(StoreInputError) {
        if setting == "sqlite" {
            self = .sqlite
        } else if setting.hasPrefix("file:"), setting.utf8.count > 5 {
            let directory = String(setting.dropFirst(5))
            self = .file(directory: directory.hasPrefix("/") ? directory : dataDirectory + "/" + directory)
        } else {
            throw StoreInputError(message: "OAUTH1_CACHE is '\(setting)'; use 'sqlite' or 'file:DIRECTORY'")
        }
    }
}

/// Where nonces live when `OAUTH1_CACHE=sqlite` (`OAUTH1_NONCES`): the nonce table (the default, a locked read and
/// write of a file per request) or the SQLite file `nonces.sqlite` (a commit per request, about five times the cost).
public enum NonceBackend: String, Sendable, Equatable, CaseIterable {
    /// `DATA/nonces/`, the nonce table (`NonceTableStore`).
    case table
    /// `DATA/nonces.sqlite` (`SQLiteNonceStore`).
    case sqlite

    /// Parses `table` or `sqlite`.
    public init(setting: String) throws(StoreInputError) {
        guard let backend = NonceBackend(rawValue: setting) else {
            throw StoreInputError(message: "OAUTH1_NONCES is '\(setting)'; use 'table' or 'sqlite'")
        }
        self = backend
    }
}

/// Every store the provider uses, opened on one data directory: the SQLite file `oauth1.sqlite` and the nonce table
/// `nonces/`, or the file cache for nonces and temporary credentials when chosen. A class: every part is shared, so
/// handing the stores to a request is one reference rather than a copy of each store.
public final class ProviderStores: Sendable {
    /// The data directory (created 0700).
    public let dataDirectory: String
    /// The database.
    public let database: SQLiteDatabase
    /// The nonce table, when `OAUTH1_CACHE=sqlite` and `OAUTH1_NONCES=table`.
    public let nonceTable: NonceTableStore?
    /// The nonce database, when `OAUTH1_CACHE=sqlite` and `OAUTH1_NONCES=sqlite`.
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
    /// Temporary credentials, in SQLite or the file cache.
    public let temporaryCredentials: any TemporaryCredentialStore
    /// Nonces, in SQLite or the file cache.
    public let nonces: any NonceStore
    /// The file cache, when `OAUTH1_CACHE=file:...`.
    public let fileCache: FileCache?
    let clock: any EpochClock

    /// The database file's name inside the data directory.
    public static let databaseFileName = "oauth1.sqlite"
    /// The nonce table's directory name inside the data directory.
    public static let nonceTableDirectoryName = "nonces"
    /// The file in which nonces were kept before the nonce table; emptied by the purge if an older binary left it.
    public static let nonceDatabaseFileName = "nonces.sqlite"

    /// Opens (creating as needed) the data directory, the database and the cache.
    public init(dataDirectory: String, cache: CacheBackend = .sqlite, nonces nonceBackend: NonceBackend = .table,
                clock: any EpochClock = SystemEpochClock(), hasher: PasswordHasher = .standard) throws {
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
        switch cache {
        case .sqlite:
            fileCache = nil
            temporaryCredentials = SQLiteTemporaryCredentialStore(database: database)
            switch nonceBackend {
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
        case .file(let directory):
            let files = try FileCache(directory: directory, clock: clock)
            nonceTable = nil
            nonceDatabase = nil
            fileCache = files
            temporaryCredentials = FileTemporaryCredentialStore(cache: files)
            nonces = FileNonceStore(cache: files)
        }
    }

    /// What a purge removed.
    public struct PurgeReport: Sendable, Equatable {
        /// Expired nonces removed.
        public var nonces = 0
        /// Expired temporary credentials removed.
        public var temporaryCredentials = 0
        /// Expired cache files removed (file backend only).
        public var cacheEntries = 0
        /// Expired browser sessions and stale login counters removed.
        public var sessions = 0
    }

    /// Removes everything expired now, in both backends (the admin purge).
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
        report.cacheEntries = try fileCache?.purge() ?? 0
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
