import ProviderCore

/// The engine behind the durable stores (SQLite or PostgreSQL): its schema, housekeeping, health and the session signing
/// key, which the application reaches without knowing which engine it is.
public protocol StorageBackend: Sendable {
    /// What the engine is, for logs and `/health`: `sqlite` or `postgresql`.
    var kind: String { get }
    /// Where it is, with any password left out: a file path or a connection URI.
    var location: String { get }
    /// Runs a request's credential look-ups as one unit (one snapshot, one freshness check for the caches).
    var lookups: any LookupScope { get }
    /// The schema version the database is at; a round trip, so it also tells whether the engine answers.
    func schemaVersion() throws -> Int
    /// The key that signs browser session cookies, created on first use; every host of a site gets the same one.
    func sessionSigningKey() throws -> [UInt8]
    /// Removes what expired at or before `now` (sessions, stale sign-in counters, and the expiring state kept here).
    func purge(now: Int64) throws -> PurgeReport
    /// Claims the purge if no process has purged within `interval` seconds of `now`: one guarded write, so of many
    /// processes and hosts one does the work.
    func claimPurge(now: Int64, interval: Int64) throws -> Bool
    /// Housekeeping after a response has gone out (such as a WAL checkpoint); never throws.
    func afterResponse()
    /// Closes this process's connection to a database server, if any (before the supervisor forks its workers).
    func close()
    /// Seals and opens the client and token secrets the database holds.
    var secrets: SecretSealer { get }
    /// Seals under the ring's sealing key every secret in clear or under another key (`migrate`, `rotate-secrets-key`).
    func sealSecrets() throws -> SecretSealingReport
    /// Whether the database holds any sealed secret, so that it needs its key file.
    func holdsSealedSecrets() throws -> Bool
}

/// Where nonces and temporary credentials live when not in the database (Redis): its health, and nothing to purge,
/// since everything there expires by itself.
public protocol ExpiringStateBackend: Sendable {
    /// What it is, for logs and `/health`: `redis`.
    var kind: String { get }
    /// Where it is, with any password left out.
    var location: String { get }
    /// Fails when the store does not answer.
    func checkHealth() throws
    /// Closes this process's connection, if any (before the supervisor forks its workers).
    func close()
}

/// What a purge removed.
public struct PurgeReport: Sendable, Equatable {
    /// Expired nonces removed.
    public var nonces = 0
    /// Expired temporary credentials removed.
    public var temporaryCredentials = 0
    /// Expired browser sessions and stale login counters removed.
    public var sessions = 0

    /// An empty report.
    public init() {}
}

/// A store that cannot be reached right now (the database or Redis is down or refused the connection); requests answer
/// 503 with Retry-After, and the next request tries again.
public struct StoreUnavailableError: Error, Sendable, CustomStringConvertible {
    /// Which store, and what went wrong, without secrets.
    public let detail: String

    /// Creates the error.
    public init(_ detail: String) { self.detail = detail }

    public var description: String { detail }
}
