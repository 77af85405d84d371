import Synchronization

/// Records read from one database, kept per process for as long as no connection commits to that database: every entry
/// is tagged with the database's data version (`SQLiteConnection.dataVersion()`) taken before the read that loaded it,
/// and all entries are dropped as soon as the version differs. Any commit, by another process or by this one, changes
/// the version, so a revoked token or a disabled client is never served from here after its commit.
///
/// Absent records are cached too, so an unknown token or client costs what a known one does: one read the first time,
/// none while nothing changes (docs/architecture.md, section "Cached look-ups").
final class SnapshotCache<Value: Sendable>: Sendable {
    private struct Contents {
        var version: UInt32?
        var values: [String: Value?] = [:]
    }

    private let contents = Mutex(Contents())
    private let capacity: Int

    /// Creates a cache of at most `capacity` records, emptied when full.
    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// What is cached for `key` (a record, or `.some(nil)` for a known absence), if the cache holds records of exactly
    /// the database's data version `version`; nil when nothing is cached.
    func value(for key: String, at version: UInt32) -> Value?? {
        contents.withLock { $0.version == version ? $0.values[key] : nil }
    }

    /// Stores a record, or its absence, read after the data version `version` was taken; records of another version
    /// are dropped.
    func store(_ value: Value?, for key: String, readAfter version: UInt32) {
        contents.withLock { contents in
            if contents.version != version || contents.values.count >= capacity {
                contents.values.removeAll(keepingCapacity: true)
                contents.version = version
            }
            contents.values.updateValue(value, forKey: key)
        }
    }
}
