import ProviderCore

/// Every store the provider uses, whichever engines hold them: the application and the admin CLI see only these
/// protocols. A class: handing the stores to a request is one reference rather than a copy of each.
public final class ProviderStores: Sendable {
    /// Users.
    public let users: any UserAccountStore
    /// Clients.
    public let clients: any ClientRegistry
    /// Token credentials.
    public let tokenCredentials: any TokenCredentialRegistry
    /// Temporary credentials (in the database, or in Redis).
    public let temporaryCredentials: any TemporaryCredentialStore
    /// Nonces (in the nonce table, a database, or Redis).
    public let nonces: any NonceStore
    /// Browser sessions.
    public let sessions: any SessionStore
    /// Failed sign-in counters.
    public let loginThrottle: any LoginThrottle
    /// The database engine.
    public let backend: any StorageBackend
    /// Where nonces and temporary credentials live when that is not the database.
    public let expiringBackend: (any ExpiringStateBackend)?
    let clock: any EpochClock

    /// Gathers stores opened elsewhere.
    public init(users: any UserAccountStore, clients: any ClientRegistry, tokenCredentials: any TokenCredentialRegistry,
                temporaryCredentials: any TemporaryCredentialStore, nonces: any NonceStore, sessions: any SessionStore,
                loginThrottle: any LoginThrottle, backend: any StorageBackend, expiringBackend: (any ExpiringStateBackend)? = nil,
                clock: any EpochClock) {
        self.users = users
        self.clients = clients
        self.tokenCredentials = tokenCredentials
        self.temporaryCredentials = temporaryCredentials
        self.nonces = nonces
        self.sessions = sessions
        self.loginThrottle = loginThrottle
        self.backend = backend
        self.expiringBackend = expiringBackend
        self.clock = clock
    }

    /// Removes everything expired now, wherever it lives (the admin purge).
    @discardableResult
    public func purge() throws -> PurgeReport {
        try backend.purge(now: clock.now())
    }

    /// Purges if no process has purged in the last `interval` seconds; only one process of many does the work.
    @discardableResult
    public func purgeIfDue(interval: Int64 = 300) throws -> PurgeReport? {
        let now = clock.now()
        return try backend.claimPurge(now: now, interval: interval) ? try backend.purge(now: now) : nil
    }

    /// Closes this process's connections to database servers; the next use opens them again.
    public func close() {
        backend.close()
        expiringBackend?.close()
    }

    /// Fails unless every engine answers: one round trip to each.
    public func checkHealth() throws -> Int {
        let version = try backend.schemaVersion()
        _ = try backend.secrets.ring()
        try expiringBackend?.checkHealth()
        return version
    }
}
