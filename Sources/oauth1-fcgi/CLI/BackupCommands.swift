import ArgumentParser
import FileAndSQLiteStore
import OAuth1Gateway
import ProviderCore
import ProviderStorage
#if canImport(Glibc)
import Glibc
#endif

/// `oauth1-fcgi backup FILE`: a consistent copy of the SQLite database while the site serves.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the SQLite database to a new file while the site serves.",
        discussion: """
        Uses SQLite's online backup API, so workers go on answering while it runs. The copy holds users, clients, \
        token credentials and sessions; client and token secrets are in it sealed under the secrets key file, which it \
        does not hold: keep the key file apart from the backups (a restore needs both). With PostgreSQL, use pg_dump \
        instead.
        """)

    @Argument(help: "The file to write; it must not exist yet.") var file: String
    @OptionGroup var options: CommonOptions

    func run() throws {
        let dataDirectory = try sqliteDataDirectory(options, what: "backup", postgreSQLAdvice: "use pg_dump (see docs/operations.md, \"Backups\")")
        let pages = try SQLiteBackup.copy(from: dataDirectory + "/" + SQLiteStores.databaseFileName, to: file)
        emit(options.json ? JSON.object([("file", JSON.string(file)), ("pages", String(pages))])
                          : "backed up \(dataDirectory)/\(SQLiteStores.databaseFileName) (\(pages) pages) to \(file); its secrets open only with the secrets key file, which is not in it")
    }
}

/// `oauth1-fcgi restore FILE`: puts a backup back, with the site stopped.
struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup made by `backup` back into the data directory; stop the site first.",
        discussion: """
        Refuses a file that is not a SQLite database of this provider's schema (or of a newer one than this binary \
        knows), and refuses to overwrite an existing database unless --replace is given; refuses also when the secrets \
        key file (OAUTH1_SECRETS_KEY_FILE, or secrets.key in the data directory) lacks a key the backup's secrets are \
        sealed under. Sessions made after the backup are gone; token credentials issued before it work again.
        """)

    @Argument(help: "A file written by `oauth1-fcgi backup`.") var file: String
    @Flag(help: "Replace the data directory's existing database.") var replace = false
    @OptionGroup var options: CommonOptions

    func run() throws {
        let dataDirectory = try sqliteDataDirectory(options, what: "restore", postgreSQLAdvice: "use pg_restore or psql")
        let found: SQLiteBackup.Inspection
        do {
            found = try SQLiteBackup.inspect(file)
        } catch {
            throw CommandFailure("\(file) is not a SQLite database this provider can read: \(error)")
        }
        guard found.hasProviderTables, found.schemaVersion >= 1 else {
            throw CommandFailure("\(file) is a SQLite database, but not one of oauth1-fcgi's (no users, clients and token_credentials tables)")
        }
        guard found.schemaVersion <= Schema.currentVersion else {
            throw CommandFailure("\(file) is at schema version \(found.schemaVersion), newer than this binary's \(Schema.currentVersion); restore it with a newer oauth1-fcgi")
        }
        // The backup's secrets open only with the key file they were sealed under: check it before writing anything.
        var storage = StorageConfiguration(dataDirectory: dataDirectory)
        storage.secretsKeyFile = try options.configuration().storage.secretsKeyFile
        let keyFile = storage.secretsKeyFile ?? dataDirectory + "/" + SQLiteStores.secretsKeyFileName
        if !found.secretsKeyIdentifiers.isEmpty {
            let held = Set(try SecretsKeyFile.read(keyFile)?.ring.keys.map(\.identifier) ?? [])
            let missing = found.secretsKeyIdentifiers.subtracting(held).sorted()
            guard missing.isEmpty else {
                throw CommandFailure("\(file)'s secrets are sealed under key \(missing.joined(separator: ", ")), which \(keyFile) does not hold; copy the site's secrets key file there first (or name it with OAUTH1_SECRETS_KEY_FILE)")
            }
        }
        let target = dataDirectory + "/" + SQLiteStores.databaseFileName
        guard try SQLiteBackup.restore(from: file, intoDataDirectory: dataDirectory, replacing: replace) else {
            throw CommandFailure("\(target) exists; stop the site and pass --replace to overwrite it with \(file)")
        }
        // Opening migrates a backup of an older schema to this binary's.
        let stores = try ProviderStores.open(storage)
        let (users, clients, tokens) = (try stores.users.all().count, try stores.clients.all(ownerUserID: nil).count,
                                        try stores.tokenCredentials.all(userID: nil).count)
        stores.close()
        emit(options.json ? JSON.object([("file", JSON.string(file)), ("users", String(users)), ("clients", String(clients)),
                                         ("token_credentials", String(tokens))])
                          : "restored \(file) into \(target): \(users) users, \(clients) clients, \(tokens) token credentials")
    }
}

/// The data directory of a SQLite site, or a failure that says what to do with PostgreSQL.
private func sqliteDataDirectory(_ options: CommonOptions, what: String, postgreSQLAdvice: String) throws -> String {
    guard case .sqlite(let dataDirectory) = try options.configuration().storage.data else {
        throw CommandFailure("\(what) works on the SQLite database in the data directory; with PostgreSQL, \(postgreSQLAdvice)")
    }
    return dataDirectory
}
