import FileAndSQLiteStore
import PostgreSQLAndRedisStore
import ProviderCore
import ProviderStorage

extension ProviderStores {
    /// Opens the stores a `StorageConfiguration` names: SQLite in the data directory or PostgreSQL for durable data,
    /// and Redis for nonces and temporary credentials when it is named.
    public static func open(_ storage: StorageConfiguration, clock: any EpochClock = SystemEpochClock(),
                            hasher: PasswordHasher = .standard) throws -> ProviderStores {
        switch storage.data {
        case .sqlite:
            return try SQLiteStores(storage, clock: clock, hasher: hasher).providerStores(expiring: nil)
        case .postgresql(let url):
            throw StoreInputError(message: "PostgreSQL (\(redactedURL(url))) is not supported by this build")
        }
    }
}
