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
        (OAUTH1_DATABASE_URL), start.
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
        let source = try ProviderStores.open(StorageConfiguration(dataDirectory: dataDirectory))
        let destination = try ProviderStores.open(StorageConfiguration(data: .postgresql(url: target), expiring: .database))
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
                              ("from", JSON.string(source.backend.location)), ("to", JSON.string(destination.backend.location))]))
        } else {
            emit("copied \(site.users.count) users, \(site.clients.count) clients, \(site.tokenCredentials.count) token credentials and the session key from \(source.backend.location) to \(destination.backend.location)")
        }
    }
}
