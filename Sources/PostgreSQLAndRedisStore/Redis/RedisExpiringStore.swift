import ProviderCore
import ProviderStorage

/// Nonces and temporary credentials in Redis, shared by every process and host of a site; everything in it expires by
/// itself, so there is nothing to purge.
public final class RedisExpiringStore: ExpiringStateBackend {
    /// The nonces.
    public let nonces: RedisNonceStore
    /// The temporary credentials.
    public let temporaryCredentials: RedisTemporaryCredentialStore
    private let connection: RedisConnection

    /// Prepares the store for a Redis URL, temporary credentials' secrets sealed by the site's `secrets`; connects lazily;
    /// `keyPrefix` namespaces every key (tests give each test its own).
    public init(url: String, secrets: SecretSealer, clock: any EpochClock = SystemEpochClock(), keyPrefix: String = "oauth1:") throws {
        let endpoint = try RedisEndpoint(url: url)
        // Loading hiredis here, rather than at the first command, makes a missing library a start-up error.
        let hiredis = try LibHiredis.load()
        connection = RedisConnection(endpoint: endpoint, location: redactedURL(url), hiredis: hiredis)
        let keyspace = RedisKeyspace(connection: connection, clock: clock, prefix: keyPrefix)
        nonces = RedisNonceStore(keyspace: keyspace)
        temporaryCredentials = RedisTemporaryCredentialStore(keyspace: keyspace, sealer: secrets)
    }

    /// The triple `PostgreSQLStores/SQLiteStores.providerStores(expiring:)` takes.
    public var expiring: (nonces: any NonceStore, temporaryCredentials: any TemporaryCredentialStore, backend: any ExpiringStateBackend) {
        (nonces, temporaryCredentials, self)
    }

    /// Always `redis`.
    public var kind: String { "redis" }

    /// The URL with any password replaced by `***`.
    public var location: String { connection.location }

    /// Sends PING and expects PONG; throws `StoreUnavailableError` when Redis does not answer.
    public func checkHealth() throws {
        let reply = try connection.command([Array("PING".utf8)])
        guard case .status("PONG") = reply else {
            throw RedisCommandError("Redis at \(connection.location): PING gave an unexpected reply")
        }
    }

    /// Closes this process's connection (called before fork); the next command opens a new one.
    public func close() { connection.close() }
}
