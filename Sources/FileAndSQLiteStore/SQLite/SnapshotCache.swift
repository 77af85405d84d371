import Synchronization

/// Records read from one database, kept per process for as long as no process commits to that database: every entry is
/// tagged with the `WALChangeStamp` taken before the transaction that read it began, and all entries are dropped as soon
/// as the database's stamp differs. So a revoked token or a disabled client is never served from here after its commit.
/// Absent records are cached too, so an unknown token or client costs what a known one does (PITFALLS 10): one read
/// the first time, none while nothing changes.
final class SnapshotCache<Value: Sendable>: Sendable {
    private struct Contents {
        var stamp: WALChangeStamp?
        var values: [String: Value?] = [:]
    }

    private let contents = Mutex(Contents())
    private let capacity: Int

    /// Creates a cache of at most `capacity` records, emptied when full.
    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// What is cached for `key` (a record, or `.some(nil)` for a known absence), if the cache holds records of exactly
    /// the database state `stamp`; nil when nothing is cached.
    func value(for key: String, at stamp: WALChangeStamp) -> Value?? {
        contents.withLock { $0.stamp == stamp ? $0.values[key] : nil }
    }

    /// Stores a record, or its absence, read in a transaction that began after `stamp` was taken; records of another
    /// state are dropped.
    func store(_ value: Value?, for key: String, readAfter stamp: WALChangeStamp) {
        contents.withLock { contents in
            if contents.stamp != stamp || contents.values.count >= capacity {
                contents.values.removeAll(keepingCapacity: true)
                contents.stamp = stamp
            }
            contents.values.updateValue(value, forKey: key)
        }
    }
}
