/// Where the provider keeps its state: durable data (users, clients, token credentials, sessions) in one place, and the
/// short-lived state (nonces and temporary credentials) in another.
public struct StorageConfiguration: Sendable, Equatable {
    /// Where users, clients, token credentials, sessions and sign-in counters live.
    public enum DataStore: Sendable, Equatable {
        /// `oauth1.sqlite` in this data directory (created 0700).
        case sqlite(dataDirectory: String)
    }

    /// Where nonces and temporary credentials live (`OAUTH1_NONCES`); today temporary credentials are in the data
    /// store's database with either choice.
    public enum ExpiringStore: Sendable, Equatable, CaseIterable {
        /// Nonces in the nonce table, `DATA/nonces/` (`NonceTableStore`): a locked read and write of a file per request.
        case table
        /// Nonces in `DATA/nonces.sqlite` (`SQLiteNonceStore`), a database that sqlite3 and backup tools read: a commit
        /// per request, about five times the nonce table's cost.
        case sqlite

        /// Parses `table` or `sqlite`, the values of `OAUTH1_NONCES`.
        public init(setting: String) throws(StoreInputError) {
            switch setting {
            case "table": self = .table
            case "sqlite": self = .sqlite
            default: throw StoreInputError(message: "OAUTH1_NONCES is '\(setting)'; use 'table' or 'sqlite'")
            }
        }
    }

    /// Where durable data lives.
    public var data: DataStore
    /// Where nonces and temporary credentials live.
    public var expiring: ExpiringStore

    /// Creates a configuration.
    public init(data: DataStore, expiring: ExpiringStore = .table) {
        self.data = data
        self.expiring = expiring
    }

    /// Everything in one data directory: `oauth1.sqlite`, and nonces in `nonces/` or `nonces.sqlite`.
    public init(dataDirectory: String, nonces: ExpiringStore = .table) {
        self.init(data: .sqlite(dataDirectory: dataDirectory), expiring: nonces)
    }
}
