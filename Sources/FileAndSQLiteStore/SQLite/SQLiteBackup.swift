import CSQLite
import ProviderStorage
#if canImport(Glibc)
import Glibc
#endif

/// Copies a SQLite database with SQLite's online backup API: a consistent snapshot of a database that other processes go
/// on writing while it is taken, written to a new file of the owner's only.
public enum SQLiteBackup {
    /// What a database file holds, read without changing it.
    public struct Inspection: Sendable, Equatable {
        /// `PRAGMA user_version`: how many of the provider's migrations have run.
        public var schemaVersion: Int
        /// Whether it has the provider's tables (users, clients, token credentials).
        public var hasProviderTables: Bool
        /// The identifiers of the keys its sealed secrets name: the key file that restores it must hold each.
        public var secretsKeyIdentifiers: Set<String> = []
    }

    /// Copies the database at `source` to `destination`, which must not exist yet (it is written beside it and renamed
    /// into place, mode 0600); returns how many pages were copied.
    @discardableResult
    public static func copy(from source: String, to destination: String) throws -> Int {
        guard access(destination, F_OK) != 0 else {
            throw StoreInputError(message: "\(destination) exists already; name a new file, or remove it first")
        }
        let partial = destination + ".partial"
        unlink(partial)
        let descriptor = Glibc.open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreInputError(message: "\(partial) cannot be created: \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        do {
            let from = try openDatabase(source, flags: SQLITE_OPEN_READONLY)
            defer { sqlite3_close_v2(from) }
            let to = try openDatabase(partial, flags: SQLITE_OPEN_READWRITE)
            defer { sqlite3_close_v2(to) }
            guard let backup = sqlite3_backup_init(to, "main", from, "main") else { throw error(to, partial) }
            var status: Int32
            var waited = 0
            repeat {
                status = sqlite3_backup_step(backup, -1)
                if status == SQLITE_BUSY || status == SQLITE_LOCKED {
                    // Another process holds a lock for a moment (a checkpoint); try again for up to 30 s.
                    waited += 1
                    guard waited < 3000 else { break }
                    usleep(10_000)
                }
            } while status == SQLITE_OK || status == SQLITE_BUSY || status == SQLITE_LOCKED
            let pages = Int(sqlite3_backup_pagecount(backup))
            sqlite3_backup_finish(backup)
            guard status == SQLITE_DONE else { throw error(to, partial) }
            guard sqlite3_exec(to, "PRAGMA journal_mode = DELETE", nil, nil, nil) == SQLITE_OK else { throw error(to, partial) }
            guard rename(partial, destination) == 0 else {
                throw StoreInputError(message: "\(partial) cannot be renamed to \(destination): \(String(cString: strerror(errno)))")
            }
            return pages
        } catch {
            unlink(partial)
            throw error
        }
    }

    /// Copies the backup at `file` into the data directory's database (creating the directory, mode 0700); an existing
    /// database, with its WAL files, is replaced only when `replacing`, and otherwise nothing happens and false is
    /// returned. The site must be stopped.
    public static func restore(from file: String, intoDataDirectory dataDirectory: String, replacing: Bool) throws -> Bool {
        try POSIXFile.makePrivateDirectory(dataDirectory)
        let target = dataDirectory + "/" + SQLiteStores.databaseFileName
        if access(target, F_OK) == 0 {
            guard replacing else { return false }
            for suffix in ["", "-wal", "-shm"] { unlink(target + suffix) }
        }
        try copy(from: file, to: target)
        return true
    }

    /// The schema version and tables of the database file at `path`, opened read-only; throws for a file that is not a
    /// SQLite database.
    public static func inspect(_ path: String) throws -> Inspection {
        guard access(path, R_OK) == 0 else {
            throw StoreInputError(message: "\(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        let connection = try SQLiteConnection(path: path, readOnly: true)
        let version = Int(try connection.query("PRAGMA user_version").first?.integer(0) ?? 0)
        let tables = Set(try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'").map { $0.text(0) })
        let hasProviderTables = ["users", "clients", "token_credentials"].allSatisfy(tables.contains)
        var keys = Set<String>()
        if hasProviderTables {
            // substr(secret, 6, 8): the key identifier after `enc1:`.
            keys = Set(try connection.query("SELECT DISTINCT substr(secret, 6, 8) FROM clients WHERE secret LIKE 'enc1:%' UNION SELECT DISTINCT substr(secret, 6, 8) FROM token_credentials WHERE secret LIKE 'enc1:%' UNION SELECT DISTINCT substr(secret, 6, 8) FROM temporary_credentials WHERE secret LIKE 'enc1:%'")
                .map { $0.text(0) })
        }
        return Inspection(schemaVersion: version, hasProviderTables: hasProviderTables, secretsKeyIdentifiers: keys)
    }

    private static func openDatabase(_ path: String, flags: Int32) throws -> OpaquePointer {
        var handle: OpaquePointer?
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: status, message: message, path: path)
        }
        return handle
    }

    private static func error(_ handle: OpaquePointer, _ path: String) -> SQLiteError {
        SQLiteError(code: sqlite3_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), path: path)
    }
}
