import Synchronization

/// The freshness a cached record is judged by: which connection of this process read it (a reconnect, perhaps to a
/// restored database, starts afresh), the database's `cache_version` row as last read, and how many change notifications
/// that connection has received since.
struct CacheTag: Sendable, Equatable {
    /// Counts this process's connections.
    var connection: UInt64
    /// The `cache_version` row, bumped by triggers whenever a client, a user or what matters of a token credential changes.
    var version: Int64
    /// Counts the change notifications the connection has received.
    var notifications: UInt64
}

/// Records kept per process for as long as nothing they depend on has changed: every entry is tagged with the tag taken
/// before the statement that loaded it, and all entries are dropped as soon as another tag is seen. Any host's change to
/// a client, a user or a token credential bumps the version and sends a notification in the same transaction, so every
/// host reads afresh at its next request once the notification has arrived.
///
/// Absent records are cached too, so an unknown token or client costs what a known one does.
final class VersionedCache<Value: Sendable>: Sendable {
    private struct Contents {
        var tag: CacheTag?
        var values: [String: Value?] = [:]
    }

    private let contents = Mutex(Contents())
    private let capacity: Int

    /// Creates a cache of at most `capacity` records, emptied when full.
    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// What is cached for `key` (a record, or `.some(nil)` for a known absence) if it was read under `tag`; nil when
    /// nothing is cached.
    func value(for key: String, at tag: CacheTag) -> Value?? {
        contents.withLock { $0.tag == tag ? $0.values[key] : nil }
    }

    /// Stores a record, or its absence, read after `tag` was taken; records of another tag are dropped.
    func store(_ value: Value?, for key: String, readAfter tag: CacheTag) {
        contents.withLock { contents in
            if contents.tag != tag || contents.values.count >= capacity {
                contents.values.removeAll(keepingCapacity: true)
                contents.tag = tag
            }
            contents.values.updateValue(value, forKey: key)
        }
    }

    /// Changes a cached record in place (a change that does not bump the version, such as a token's last use).
    func modify(_ key: String, _ change: (inout Value) -> Void) {
        contents.withLock { contents in
            if case .some(.some(var value)) = contents.values[key] {
                change(&value)
                contents.values[key] = value
            }
        }
    }
}
