import Synchronization

/// Records kept per process, every entry tagged with the database state it was read in (`SQLDatabase.CacheTag`, taken
/// before the read): all entries are dropped as soon as another tag is seen. Absent records are cached too, so an
/// unknown token or client costs what a known one does. The look-up and the store are inlinable, so a backend's
/// `SQLDatabase.cachedRead` specializes them for its tag and the record type instead of asking the runtime for the
/// generic types' metadata on every request.
public final class TaggedRecordCache<Tag: Equatable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline
    struct Contents {
        @usableFromInline var tag: Tag?
        @usableFromInline var values: [String: Value?] = [:]
    }

    @usableFromInline let contents = Mutex(Contents())
    @usableFromInline let capacity: Int

    /// Creates a cache of at most `capacity` records, emptied when full.
    public init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// What is cached for `key` (a record, or `.some(nil)` for a known absence) if it was read under `tag`; nil when
    /// nothing is cached.
    @inlinable
    public func value(for key: String, at tag: Tag) -> Value?? {
        contents.withLock { $0.tag == tag ? $0.values[key] : nil }
    }

    /// Stores a record, or its absence, read after `tag` was taken; records of another tag are dropped.
    @inlinable
    public func store(_ value: Value?, for key: String, readAfter tag: Tag) {
        contents.withLock { contents in
            if contents.tag != tag || contents.values.count >= capacity {
                contents.values.removeAll(keepingCapacity: true)
                contents.tag = tag
            }
            contents.values.updateValue(value, forKey: key)
        }
    }

    /// Changes a cached record in place (a change that does not alter the tag, such as a token's last use).
    public func modify(_ key: String, _ change: (inout Value) -> Void) {
        contents.withLock { contents in
            if case .some(.some(var value)) = contents.values[key] {
                change(&value)
                contents.values[key] = value
            }
        }
    }
}
