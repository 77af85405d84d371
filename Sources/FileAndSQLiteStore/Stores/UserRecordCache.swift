import Synchronization

/// User records by id, kept per process for the protected resource, which reads the same few users on every request.
///
/// Safe because a user record never changes once created: nothing updates or deletes a row of `users` (usernames are
/// fixed, accounts are not removed), and a token credential's user is looked up only after the token itself was read
/// fresh from the database, so revocation is never delayed by this cache. If users ever become editable or deletable,
/// this cache must be dropped or invalidated by that code.
final class UserRecordCache: Sendable {
    private let records = Mutex<[Int64: UserRecord]>([:])
    private let capacity: Int

    /// Creates a cache of at most `capacity` users, emptied when full.
    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// The cached record, or the one `load` reads (then cached when it exists).
    func user(id: Int64, load: (Int64) throws -> UserRecord?) rethrows -> UserRecord? {
        if let cached = records.withLock({ $0[id] }) { return cached }
        guard let loaded = try load(id) else { return nil }
        records.withLock { records in
            if records.count >= capacity { records.removeAll(keepingCapacity: true) }
            records[id] = loaded
        }
        return loaded
    }
}
