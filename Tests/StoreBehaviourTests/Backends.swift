import FileAndSQLiteStore
import Foundation
import PostgreSQLAndRedisStore
import ProviderCore
import ProviderStorage
import Synchronization
import Testing
import TestServers

/// The backends the behaviour suite knows: SQLite or PostgreSQL for durable data, each with or without Redis for nonces and
/// temporary credentials.
enum TestBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case sqliteWithRedis
    case postgresql
    case postgresqlWithRedis

    /// The backends every behaviour test runs against.
    static let available: [TestBackend] = [.sqlite, .sqliteWithRedis, .postgresql, .postgresqlWithRedis]

    var testDescription: String { rawValue }

    /// Whether nonces and temporary credentials live in Redis.
    var usesRedis: Bool { self == .sqliteWithRedis || self == .postgresqlWithRedis }
}

/// Where one test's data lives: a data directory or a database of its own, and a Redis database and key prefix of its
/// own; every store set opened on it reaches the same data.
struct TestSite: Sendable {
    let backend: TestBackend
    /// SQLite's data directory; a PostgreSQL site's holds only its secrets key file, as each host's own disk would.
    let dataDirectory: TemporaryDirectory?
    /// The PostgreSQL database's URL.
    let databaseURL: String?
    /// The Redis database's URL.
    let redisURL: String?
    /// The prefix of every Redis key of this site.
    let redisKeyPrefix: String?

    private static let counter = Atomic<Int>(0)

    /// The secrets key file every store set of the site uses.
    var secretsKeyFile: String { (dataDirectory?.path ?? "/nonexistent") + "/secrets.key" }

    /// A fresh, empty site for the backend, on the process's shared servers.
    init(_ backend: TestBackend) throws {
        self.backend = backend
        switch backend {
        case .sqlite, .sqliteWithRedis:
            dataDirectory = TemporaryDirectory()
            databaseURL = nil
        case .postgresql, .postgresqlWithRedis:
            let directory = TemporaryDirectory()
            try SecretsKeyFile.create(directory.path + "/secrets.key")
            dataDirectory = directory
            let server = try PostgreSQLServer.shared
            databaseURL = server.url(database: try server.createUniqueDatabase(prefix: "behaviour"))
        }
        if backend.usesRedis {
            let redis = try RedisServer.shared
            redisURL = redis.url(database: redis.claimDatabase())
            redisKeyPrefix = "behaviour-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue):"
        } else {
            redisURL = nil
            redisKeyPrefix = nil
        }
    }
}

/// One opened set of stores; holding it keeps the site (its directory) alive.
struct OpenedStores: Sendable {
    let site: TestSite
    let stores: ProviderStores
}

/// Opens a store set on a fresh site of the backend.
func openStores(_ backend: TestBackend, clock: TestClock) throws -> OpenedStores {
    try openStores(TestSite(backend), clock: clock)
}

/// Opens another, independent store set on an existing site, as another process or host would. PostgreSQL store sets
/// read the cache version for every request unless `cacheCheckInterval` (milliseconds) says otherwise, so that another
/// set's change is seen at the very next read; ChangeNotificationTests covers the notifications that serve sites instead.
func openStores(_ site: TestSite, clock: TestClock, cacheCheckInterval: Int64 = 0) throws -> OpenedStores {
    switch site.backend {
    case .sqlite:
        let directory = try #require(site.dataDirectory)
        let stores = try SQLiteStores(StorageConfiguration(dataDirectory: directory.path), clock: clock, hasher: fastHasher)
        return OpenedStores(site: site, stores: stores.providerStores())
    case .sqliteWithRedis:
        let directory = try #require(site.dataDirectory)
        let redisURL = try #require(site.redisURL)
        let stores = try SQLiteStores(StorageConfiguration(data: .sqlite(dataDirectory: directory.path), expiring: .redis(url: redisURL)),
                                      clock: clock, hasher: fastHasher)
        let redis = try RedisExpiringStore(url: redisURL, secrets: stores.secrets, clock: clock, keyPrefix: try #require(site.redisKeyPrefix))
        return OpenedStores(site: site, stores: stores.providerStores(expiring: redis.expiring))
    case .postgresql:
        let stores = try PostgreSQLStores(url: try #require(site.databaseURL), secretsKeyFile: site.secretsKeyFile, clock: clock, hasher: fastHasher,
                                          cacheCheckInterval: cacheCheckInterval)
        return OpenedStores(site: site, stores: stores.providerStores())
    case .postgresqlWithRedis:
        let stores = try PostgreSQLStores(url: try #require(site.databaseURL), secretsKeyFile: site.secretsKeyFile, clock: clock, hasher: fastHasher,
                                          cacheCheckInterval: cacheCheckInterval)
        let redis = try RedisExpiringStore(url: try #require(site.redisURL), secrets: stores.secrets, clock: clock,
                                           keyPrefix: try #require(site.redisKeyPrefix))
        return OpenedStores(site: site, stores: stores.providerStores(expiring: redis.expiring))
    }
}

/// A site with one user (alice) and one client (printer), and the store set that made them.
struct Seeded: Sendable {
    let opened: OpenedStores
    let user: UserRecord
    var stores: ProviderStores { opened.stores }
    var site: TestSite { opened.site }
}

/// Opens a fresh site of the backend with alice and the printer client.
func seeded(_ backend: TestBackend, clock: TestClock = TestClock()) throws -> Seeded {
    let opened = try openStores(backend, clock: clock)
    let user = try opened.stores.users.create(username: "alice", password: "correct horse")
    try opened.stores.clients.register(name: "Printer", callbackURIs: ["https://printer.example.com/ready"],
                                       identifier: "printer", secret: "printer-secret")
    return Seeded(opened: opened, user: user)
}
