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
    /// The client library the connections are made with.
    private let libpq: LibPQ
    private let lock = Mutex(())
    private var connection: PostgreSQLConnection?
    /// How many connections this process has opened; part of every cache tag.
    private var connectionCount: UInt64 = 0
    /// The connection that listens for change notifications (nil until the first cached read of a connection).
    private var listening: PostgreSQLConnection?
    /// The tag of the listening connection.
    private var tag = CacheTag(connection: 0, version: 0, notifications: 0)
    /// When the version row was last read, in CLOCK_MONOTONIC nanoseconds.
    private var lastVersionCheck: Int64 = 0
    /// How long cached records are trusted without reading the version row, in nanoseconds; 0 reads it for every request.
    let versionCheckInterval: Int64
    /// The channel the schema's triggers notify on every change to a client, a user or a token credential.
    static let changeChannel = "oauth1_cache"
    /// The thread inside `lookUp` (its pthread_t), or 0: its reads use the connection without taking `lock` again.
    private let lookUpThread = Atomic<UInt>(0)
    /// The tag the open look-up's cached reads are judged by, read at its first cached read.
    private var scopeTag: CacheTag?

    /// Prepares for `url`; connects on first use. `versionCheckInterval` is in nanoseconds.
    init(url: String, location: String, libpq: LibPQ, versionCheckInterval: Int64 = 1_000_000_000) {
        self.url = url
        self.location = location
        self.libpq = libpq
        self.versionCheckInterval = versionCheckInterval
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
            listening = nil
        }
    }

    /// The connection, opened and checked when there is none; a lost connection is dropped and reported as unavailable.
    /// An open connection is first read without waiting: that takes in change notifications, and finds a connection
    /// the server has closed (a restart, an idle timeout) before anything is sent on it, so that a new one can be opened
    /// at once. Called with `lock` held.
    private func use<T: Sendable>(_ body: (PostgreSQLConnection) throws -> T) throws -> T {
        do {
            if let open = connection, open.processID != getpid() { connection = nil }
            if let open = connection {
                do {
                    if try open.takeNotifications(), listening === open { tag.notifications += 1 }
                } catch {
                    open.finish()
                    connection = nil
                }
            }
            let open: PostgreSQLConnection
            if let existing = connection {
                open = existing
            } else {
                let fresh = try PostgreSQLConnection(url: url, location: location, libpq: libpq)
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

    /// The tag caches are judged by now. Changes arrive as notifications, taken in by `use` without a round trip; the
    /// version row is read (one round trip) on a new connection and whenever `versionCheckInterval` has passed since the
    /// last reading, which bounds how long a change could go unseen should a notification not arrive (a host cut off from
    /// the database without its connection failing). Called with the connection in use.
    private func currentTag(_ connection: PostgreSQLConnection) throws -> CacheTag {
        let now = Self.monotonicNanoseconds()
        if listening !== connection {
            // One round trip: listen first, so that no change between the two statements goes unseen.
            let version = try connection.queryScript("LISTEN \(Self.changeChannel); SELECT version FROM cache_version WHERE id = 1")
            listening = connection
            tag = CacheTag(connection: connectionCount, version: version.first?.integer(0) ?? 0, notifications: 0)
            lastVersionCheck = now
            return tag
        }
        if now - lastVersionCheck >= versionCheckInterval {
            tag.version = try connection.query("SELECT version FROM cache_version WHERE id = 1").first?.integer(0) ?? 0
            lastVersionCheck = now
        }
        return tag
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    private static func monotonicNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// A record (or its absence) from `cache` when nothing has changed since it was read, else `load`'s result (one
    /// round trip), which is then cached. Inside `lookUp` one tag judges the whole look-up; outside, each call takes
    /// its own.
    public func cachedRead<Value>(_ cache: VersionedCache<Value>, key: String,
                                  load: (PostgreSQLStatements) throws -> Value?) throws -> Value? {
        try withConnection { connection in
            let tag: CacheTag
            if isInsideLookUp, let scoped = scopeTag {
                tag = scoped
            } else {
                tag = try currentTag(connection)
                if isInsideLookUp { scopeTag = tag }
            }
            if let hit = cache.value(for: key, at: tag) { return hit }
            let value = try load(PostgreSQLStatements(connection: connection))
            cache.store(value, for: key, readAfter: tag)
            return value
        }
    }
}

extension PostgreSQLDatabase: LookupScope {
    /// Runs a request's credential look-ups as one unit: the cache tag is taken once, at the first cached read, and
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
