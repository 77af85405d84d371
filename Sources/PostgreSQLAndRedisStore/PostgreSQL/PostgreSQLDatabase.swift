import ProviderCore
import ProviderStorage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One process's connection to the PostgreSQL database: opened on first use (checking the schema, and migrating when
/// the database is older than this binary), handed to one caller at a time, and dropped after any connection failure so
/// that the next call connects again.
///
/// Fork safety: a connection must not be shared by two processes. The supervisor calls `close()` before it forks
/// workers, so each worker opens its own; a connection inherited anyway is abandoned, never used or finished, by the
/// child (finishing it would end the parent's session).
///
/// Sendable because the mutable state is reached only under `lock`, or by the thread inside `lookUp`, which holds it.
public final class PostgreSQLDatabase: @unchecked Sendable {
    /// The connection string as given; never logged.
    private let url: String
    /// The connection string with any password left out.
    public let location: String
    private let lock = Mutex(())
    private var connection: PostgreSQLConnection?
    /// How many connections this process has opened; part of every cache tag.
    private var connectionCount: UInt64 = 0
    /// The thread inside `lookUp` (its pthread_t), or 0: its reads use the connection without taking `lock` again.
    private let lookUpThread = Atomic<UInt>(0)
    /// The tag the open look-up's cached reads are judged by, read at its first cached read.
    private var scopeTag: CacheTag?

    /// Prepares for `url`; connects on first use.
    init(url: String, location: String) {
        self.url = url
        self.location = location
    }

    /// Runs `body` with the connection, exclusive of other threads of this process; connects first when needed.
    @discardableResult
    func withConnection<T: Sendable>(_ body: (PostgreSQLConnection) throws -> T) throws -> T {
        if isInsideLookUp { return try use(body) }
        return try lock.withLock { _ in try use(body) }
    }

    /// Runs `body` in one transaction (READ COMMITTED), committed when it returns and rolled back when it throws.
    @discardableResult
    func transaction<T: Sendable>(_ body: (PostgreSQLConnection) throws -> T) throws -> T {
        try withConnection { connection in
            try connection.execute("BEGIN")
            do {
                let result = try body(connection)
                try connection.execute("COMMIT")
                return result
            } catch {
                if !(error is PostgreSQLConnectionLost) { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// Ends this process's connection; the next call opens a new one.
    func close() {
        lock.withLock { _ in
            connection?.finish()
            connection = nil
        }
    }

    /// The connection, opened and checked when there is none; a lost connection is dropped and reported as unavailable.
    /// Called with `lock` held.
    private func use<T: Sendable>(_ body: (PostgreSQLConnection) throws -> T) throws -> T {
        do {
            if let open = connection, open.processID != getpid() { connection = nil }
            let open: PostgreSQLConnection
            if let existing = connection {
                open = existing
            } else {
                let fresh = try PostgreSQLConnection(url: url, location: location)
                do {
                    try PostgreSQLSchema.prepare(fresh)
                } catch {
                    fresh.finish()
                    throw error
                }
                connection = fresh
                connectionCount += 1
                open = fresh
            }
            return try body(open)
        } catch let lost as PostgreSQLConnectionLost {
            connection?.finish()
            connection = nil
            throw StoreUnavailableError("PostgreSQL at \(location) is unavailable: \(lost.message)")
        }
    }

    private var isInsideLookUp: Bool {
        lookUpThread.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// The tag caches are judged by now: one round trip reading `cache_version`. Called with the connection in use.
    private func currentTag(_ connection: PostgreSQLConnection) throws -> CacheTag {
        let version = try connection.query("SELECT version FROM cache_version WHERE id = 1").first?.integer(0) ?? 0
        return CacheTag(connection: connectionCount, version: version)
    }

    /// A record (or its absence) from `cache` when the cache version is unchanged since it was read, else `load`'s
    /// result, which is then cached. Inside `lookUp` the version is read once for the whole look-up; outside, each call
    /// reads it (one round trip, plus one for `load` on a miss).
    func cachedRead<Value>(_ cache: VersionedCache<Value>, key: String,
                           load: (PostgreSQLConnection) throws -> Value?) throws -> Value? {
        try withConnection { connection in
            let tag: CacheTag
            if isInsideLookUp, let scoped = scopeTag {
                tag = scoped
            } else {
                tag = try currentTag(connection)
                if isInsideLookUp { scopeTag = tag }
            }
            if let hit = cache.value(for: key, at: tag) { return hit }
            let value = try load(connection)
            cache.store(value, for: key, readAfter: tag)
            return value
        }
    }
}

extension PostgreSQLDatabase: LookupScope {
    /// Runs a request's credential look-ups as one unit: the cache version is read once, at the first cached read, and
    /// judges every cached record of the look-up. Nested calls join it.
    public func lookUp<T>(_ body: () throws -> T) throws -> T {
        if isInsideLookUp { return try body() }
        return try lock.withLock { _ in
            scopeTag = nil
            lookUpThread.store(UInt(pthread_self()), ordering: .releasing)
            defer {
                lookUpThread.store(0, ordering: .releasing)
                scopeTag = nil
            }
            return try body()
        }
    }
}
