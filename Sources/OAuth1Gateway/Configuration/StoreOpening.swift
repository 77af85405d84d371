import FileAndSQLiteStore
import PostgreSQLAndRedisStore
import ProviderCore
import ProviderStorage

extension ProviderStores {
    /// Opens the stores a `StorageConfiguration` names: SQLite in the data directory or PostgreSQL for durable data,
    /// and Redis for nonces and temporary credentials when it is named. Nothing connects to a server yet: each process
    /// connects on first use (so the supervisor can open, check and close before it forks).
    public static func open(_ storage: StorageConfiguration, clock: any EpochClock = SystemEpochClock(),
                            hasher: PasswordHasher = .standard) throws -> ProviderStores {
        var redis: RedisExpiringStore?
        if case .redis(let url) = storage.expiring {
            redis = try RedisExpiringStore(url: url, clock: clock)
        }
        switch storage.data {
        case .sqlite:
            return try SQLiteStores(storage, clock: clock, hasher: hasher).providerStores(expiring: redis?.expiring)
        case .postgresql(let url):
            guard let secretsKeyFile = storage.secretsKeyFile else {
                throw StoreInputError(message: "with PostgreSQL, OAUTH1_SECRETS_KEY_FILE must name the secrets key file, the same on every host")
            }
            return try PostgreSQLStores(url: url, secretsKeyFile: secretsKeyFile, clock: clock, hasher: hasher,
                                        cacheCheckInterval: storage.cacheCheckInterval).providerStores(expiring: redis?.expiring)
        }
    }
}
