import ProviderCore

/// The seed's cache contract (get, set with expiry, delete) in a directory, safe across processes: every write goes to a
/// temporary file that is then renamed or linked into place, and test-and-set operations take an `flock`.
public struct FileCache: Sendable {
    /// The cache directory.
    public let directory: String
    let clock: any EpochClock
    let random: CredentialGenerator

    private static let magic = "oauth1-fcgi-cache 1 "

    /// Opens a cache directory, creating it (mode 0700) with its `tmp` subdirectory.
    public init(directory: String, clock: any EpochClock = SystemEpochClock()) throws {
        self.directory = directory
        self.clock = clock
        self.random = CredentialGenerator()
        try POSIXFile.makeDirectory(directory)
        try POSIXFile.makeDirectory(directory + "/tmp")
    }

    // MARK: The seed's contract

    /// The value stored under `key`, or nil when absent or expired.
    public func get(_ key: String) throws -> [UInt8]? {
        let path = self.path(for: key)
        guard let entry = try read(path) else { return nil }
        return entry.isLive(at: clock.now()) ? entry.value : nil
    }

    /// Stores `value` under `key`, replacing any earlier value; it expires after `expires` seconds, or never when nil.
    public func set(_ key: String, _ value: [UInt8], expires: Int64? = nil) throws {
        try set(key, value, expiresAt: expires.map { clock.now() + $0 })
    }

    /// Removes `key`; false when it was not there.
    @discardableResult
    public func delete(_ key: String) throws -> Bool {
        POSIXFile.remove(path(for: key))
    }

    // MARK: Atomic operations for the credential stores

    /// Stores `value` under `key` unless a live value is there already; true when stored. Atomic across processes.
    public func add(_ key: String, _ value: [UInt8], expiresAt: Int64?) throws -> Bool {
        let path = self.path(for: key)
        try POSIXFile.makeDirectory(shardDirectory(for: key))
        let temporary = try writeTemporary(value, expiresAt: expiresAt)
        defer { POSIXFile.remove(temporary) }
        if try POSIXFile.link(temporary, path) { return true }
        return try withLock {
            if let existing = try read(path), existing.isLive(at: clock.now()) { return false }
            return try POSIXFile.rename(temporary, path)
        }
    }

    /// Stores `value` under `key` with an absolute expiry, replacing any earlier value.
    public func set(_ key: String, _ value: [UInt8], expiresAt: Int64?) throws {
        try POSIXFile.makeDirectory(shardDirectory(for: key))
        let temporary = try writeTemporary(value, expiresAt: expiresAt)
        defer { POSIXFile.remove(temporary) }
        try withLock { _ = try POSIXFile.rename(temporary, path(for: key)) }
    }

    /// Removes the value under `key` and returns it if it was live; of several processes taking one key, at most one gets it.
    public func take(_ key: String) throws -> [UInt8]? {
        let path = self.path(for: key)
        let claimed = directory + "/tmp/taken-" + random.string(length: 16)
        let moved = try withLock { try POSIXFile.rename(path, claimed) }
        guard moved else { return nil }
        defer { POSIXFile.remove(claimed) }
        guard let entry = try read(claimed, reportAs: path) else { return nil }
        return entry.isLive(at: clock.now()) ? entry.value : nil
    }

    /// Replaces a live value with `transform(value)` under the lock; false when absent, expired, or `transform` returns nil.
    public func update(_ key: String, _ transform: ([UInt8]) throws -> [UInt8]?) throws -> Bool {
        let path = self.path(for: key)
        return try withLock {
            guard let entry = try read(path), entry.isLive(at: clock.now()), let replacement = try transform(entry.value) else { return false }
            let temporary = try writeTemporary(replacement, expiresAt: entry.expiresAt)
            defer { POSIXFile.remove(temporary) }
            return try POSIXFile.rename(temporary, path)
        }
    }

    /// Removes expired entries and abandoned temporary files; returns how many entries went.
    @discardableResult
    public func purge() throws -> Int {
        let now = clock.now()
        var removed = 0
        for shard in POSIXFile.entries(directory) where shard.utf8.count == 2 {
            let shardPath = directory + "/" + shard
            for name in POSIXFile.entries(shardPath) {
                let path = shardPath + "/" + name
                let entry = try? read(path)
                if entry.map({ !$0.isLive(at: now) }) ?? true, POSIXFile.remove(path) { removed += 1 }
            }
        }
        for name in POSIXFile.entries(directory + "/tmp") {
            let path = directory + "/tmp/" + name
            if let modified = POSIXFile.modificationTime(path), modified < now - 3600 { POSIXFile.remove(path) }
        }
        return removed
    }

    // MARK: Files

    struct Entry {
        let expiresAt: Int64?
        let value: [UInt8]
        func isLive(at now: Int64) -> Bool { expiresAt.map { $0 > now } ?? true }
    }

    /// The file that holds the entry for `key`.
    public func path(for key: String) -> String {
        let name = Digest.hex(Digest.hash(.sha256, Array(key.utf8)))
        return directory + "/" + name.prefix(2) + "/" + name
    }

    private func shardDirectory(for key: String) -> String {
        let path = path(for: key)
        return String(path[..<path.lastIndex(of: "/")!])
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        try POSIXFile.withExclusiveLock(directory + "/.lock", body)
    }

    private func writeTemporary(_ value: [UInt8], expiresAt: Int64?) throws -> String {
        let temporary = directory + "/tmp/" + random.string(length: 20)
        try POSIXFile.writeNew(temporary, Array((Self.magic + String(expiresAt ?? 0) + "\n").utf8) + value)
        return temporary
    }

    private func read(_ path: String, reportAs reported: String? = nil) throws -> Entry? {
        guard let bytes = try POSIXFile.readAll(path) else { return nil }
        let magic = Array(Self.magic.utf8)
        guard bytes.count > magic.count, bytes.starts(with: magic),
              let newline = bytes[magic.count...].firstIndex(of: UInt8(ascii: "\n")),
              let expiry = Int64(String(decoding: bytes[magic.count..<newline], as: UTF8.self)), expiry >= 0 else {
            throw CorruptRecordError(path: reported ?? path, detail: "not a cache entry of this version")
        }
        return Entry(expiresAt: expiry == 0 ? nil : expiry, value: Array(bytes[(newline + 1)...]))
    }
}
