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
        // Redis seals temporary credentials' secrets with the database's key file.
        func redis(_ secrets: SecretSealer) throws -> RedisExpiringStore? {
            guard case .redis(let url) = storage.expiring else { return nil }
            return try RedisExpiringStore(url: url, secrets: secrets, clock: clock)
        }
        switch storage.data {
        case .sqlite:
            let stores = try SQLiteStores(storage, clock: clock, hasher: hasher)
            return stores.providerStores(expiring: try redis(stores.secrets)?.expiring)
        case .postgresql(let url):
            guard let secretsKeyFile = storage.secretsKeyFile else {
                throw StoreInputError(message: "with PostgreSQL, OAUTH1_SECRETS_KEY_FILE must name the secrets key file, the same on every host")
            }
            let stores = try PostgreSQLStores(url: url, secretsKeyFile: secretsKeyFile, clock: clock, hasher: hasher,
                                              cacheCheckInterval: storage.cacheCheckInterval)
            return stores.providerStores(expiring: try redis(stores.secrets)?.expiring)
        }
    }
}
