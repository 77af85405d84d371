import ProviderStorage

/// The freshness a cached record is judged by: which connection of this process read it (a reconnect, perhaps to a
/// restored database, starts afresh), the database's `cache_version` row as last read, and how many change notifications
/// that connection has received since.
public struct CacheTag: Sendable, Equatable {
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
public typealias VersionedCache<Value: Sendable> = TaggedRecordCache<CacheTag, Value>
