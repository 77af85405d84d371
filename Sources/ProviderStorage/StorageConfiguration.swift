/// Where the provider keeps its state: durable data (users, clients, token credentials, sessions, sign-in counters, the
/// session key) in one place, and the short-lived state (nonces and temporary credentials) in another.
public struct StorageConfiguration: Sendable, Equatable {
    /// Where durable data lives (`OAUTH1_DATABASE_URL`).
    public enum DataStore: Sendable, Equatable {
        /// `oauth1.sqlite` in this data directory (created 0700): one machine.
        case sqlite(dataDirectory: String)
        /// A PostgreSQL database, named by a libpq connection URI: any number of hosts.
        case postgresql(url: String)
    }

    /// Where nonces and temporary credentials live (`OAUTH1_REDIS_URL`, and `OAUTH1_NONCES` for SQLite).
    public enum ExpiringStore: Sendable, Equatable {
        /// Nonces in the nonce table, `DATA/nonces/` (`NonceTableStore`): a locked read and write of a file per request.
        /// SQLite only; temporary credentials are in `oauth1.sqlite`.
        case table
        /// Nonces in `DATA/nonces.sqlite` (`SQLiteNonceStore`), a database that sqlite3 and backup tools read: a commit
        /// per request, about five times the nonce table's cost. SQLite only; temporary credentials are in `oauth1.sqlite`.
        case sqlite
        /// Nonces and temporary credentials in the data store's own database: PostgreSQL's choice without Redis; with
        /// SQLite the same as `sqlite`.
        case database
        /// Nonces and temporary credentials in Redis, each with an expiry, named by a `redis://` or `unix://` URL.
        case redis(url: String)

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
    /// How long, in milliseconds, a process of a PostgreSQL site trusts its cached clients, users and token credentials
    /// without reading the database's cache version (`OAUTH1_CACHE_CHECK_INTERVAL_MS`); change notifications make it
    /// forget them sooner. 0 reads the version for every request.
    public var cacheCheckInterval: Int64 = 1000
    /// The file of keys that seal client and token secrets in the database (`OAUTH1_SECRETS_KEY_FILE`); nil means
    /// `secrets.key` in a SQLite site's data directory, made on first use. PostgreSQL needs it named: every host must
    /// have the same keys.
    public var secretsKeyFile: String?

    /// Creates a configuration; nonces in a file of the data directory need SQLite as the data store.
    public init(data: DataStore, expiring: ExpiringStore = .table) throws(StoreInputError) {
        if case .postgresql = data, expiring == .table || expiring == .sqlite {
            throw StoreInputError(message: "OAUTH1_NONCES applies to SQLite only: with PostgreSQL, nonces live in the database, or in Redis when OAUTH1_REDIS_URL is set")
        }
        self.data = data
        self.expiring = expiring
    }

    /// Everything in one data directory: `oauth1.sqlite`, and nonces in `nonces/` or `nonces.sqlite`.
    public init(dataDirectory: String, nonces: ExpiringStore = .table) {
        data = .sqlite(dataDirectory: dataDirectory)
        expiring = nonces
    }
}
