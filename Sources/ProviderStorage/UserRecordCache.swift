import Synchronization

/// User records by id, kept per process for the protected resource, which reads the same few users on every request.
///
/// Safe because a user record never changes once created (usernames are fixed), and a token credential's user is looked
/// up only after the token itself was read fresh: removing a user removes their tokens, so a removed user's requests fail
/// at the token before this cache is asked. If users ever become editable, this cache must be invalidated by that code.
public final class UserRecordCache: Sendable {
    private let records = Mutex<[Int64: UserRecord]>([:])
    private let capacity: Int

    /// Creates a cache of at most `capacity` users, emptied when full.
    public init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// The cached record, or the one `load` reads (then cached when it exists).
    public func user(id: Int64, load: (Int64) throws -> UserRecord?) rethrows -> UserRecord? {
        if let cached = records.withLock({ $0[id] }) { return cached }
        guard let loaded = try load(id) else { return nil }
        records.withLock { records in
            if records.count >= capacity { records.removeAll(keepingCapacity: true) }
            records[id] = loaded
        }
        return loaded
    }
}
