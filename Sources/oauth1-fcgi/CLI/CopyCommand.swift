import ArgumentParser
import OAuth1Gateway
import ProviderCore
import ProviderStorage

/// `oauth1-fcgi copy --to URL`: moves a SQLite site into an empty PostgreSQL database.
struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the data directory's SQLite site into an empty PostgreSQL database.",
        discussion: """
        Copies users with their password hashes, clients with their secrets and keys, live token credentials with \
        their scopes and expiry, and the session signing key, in one transaction. Temporary credentials, nonces, \
        sessions and sign-in counters are not copied: stop the site first, copy, point every host at the database \
        (OAUTH1_DATABASE_URL), start. Secrets are sealed in PostgreSQL under the SQLite site's secrets key file \
        (OAUTH1_SECRETS_KEY_FILE, or secrets.key in the data directory): give every host a copy and name it with \
        OAUTH1_SECRETS_KEY_FILE.
        """)

    @Option(name: .customLong("to"), help: "The PostgreSQL database, as a postgresql:// URI; it must be empty.")
    var target: String

    @OptionGroup var options: CommonOptions

    func run() throws {
        guard target.hasPrefix("postgresql://") || target.hasPrefix("postgres://") else {
            throw CommandFailure("--to must be a postgresql:// URI, as in postgresql://oauth1@/oauth1?host=/run/postgresql")
        }
        let configuration = try options.configuration()
        guard case .sqlite(let dataDirectory) = configuration.storage.data else {
            throw CommandFailure("copy reads a SQLite site: unset OAUTH1_DATABASE_URL and name the data directory with --data-dir")
        }
        var sourceStorage = StorageConfiguration(dataDirectory: dataDirectory)
        sourceStorage.secretsKeyFile = configuration.storage.secretsKeyFile
        let source = try ProviderStores.open(sourceStorage)
        // The site's key file, made now if the site never sealed a secret, seals the copies too.
        try source.backend.secrets.reload()
        guard let keyFile = source.backend.secrets.keyFilePath else { throw CommandFailure("the SQLite site has no secrets key file") }
        var destinationStorage = try StorageConfiguration(data: .postgresql(url: target), expiring: .database)
        destinationStorage.secretsKeyFile = keyFile
        let destination = try ProviderStores.open(destinationStorage)
        defer { destination.close() }
        guard let exporter = source.backend as? any SiteExporting, let importer = destination.backend as? any SiteImporting else {
            throw CommandFailure("this build cannot copy from \(source.backend.kind) to \(destination.backend.kind)")
        }
        let site = try exporter.exportSite(now: SystemEpochClock().now())
        guard try importer.isEmpty() else {
            throw CommandFailure("\(destination.backend.location) already holds users, clients or tokens; copy only into an empty database")
        }
        try importer.importSite(site)
        if options.json {
            emit(JSON.object([("users", String(site.users.count)), ("clients", String(site.clients.count)),
                              ("token_credentials", String(site.tokenCredentials.count)), ("session_key", "true"),
                              ("from", JSON.string(source.backend.location)), ("to", JSON.string(destination.backend.location)),
                              ("secrets_key_file", JSON.string(keyFile))]))
        } else {
            emit("copied \(site.users.count) users, \(site.clients.count) clients, \(site.tokenCredentials.count) token credentials and the session key from \(source.backend.location) to \(destination.backend.location)")
            emit("secrets are sealed under \(keyFile): give every host a copy (mode 0600) and set OAUTH1_SECRETS_KEY_FILE to it")
        }
    }
}
