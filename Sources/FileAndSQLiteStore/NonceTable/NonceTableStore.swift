import ProviderCore
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Nonces in the nonce table: a directory of partition files, one per span of `oauth_timestamp` seconds, each a hash
/// table of 128-bit fingerprints (`NonceTablePartition`). Insert-if-absent is one locked read of 256 bytes and write of
/// 16 bytes, so of several processes given the same nonce exactly one accepts it (RFC 5849 section 3.3). A partition file
/// is deleted whole once every timestamp it covers is outside the timestamp window, since a request carrying such a
/// timestamp is refused before its nonce is looked at; so the table holds about two windows of nonces. It costs about a
/// tenth of an SQLite commit per request, which is why it is the default home of nonces (docs/architecture.md, section
/// "The nonce table").
public final class NonceTableStore: NonceStore, Sendable {
    /// The table's directory.
    public let directory: String
    private let format: NonceTableFormat
    private let clock: any EpochClock
    /// Open partition files by number; only touched under the lock, so one thread at a time uses them.
    private let partitions = Mutex<OpenPartitions>(OpenPartitions())

    /// Seconds a partition outlives the last moment a nonce of its timestamps could be accepted: a request may be checked
    /// against the window a moment before its nonce is inserted.
    static let slackSeconds: Int64 = 60
    /// Partition files a process keeps open; the window needs about a dozen at the default 300 seconds.
    static let openLimit = 32

    /// Opens the table in `directory`, creating it (0700) with its format file when absent; `smallestBaseSlots` (a power
    /// of two) is the level 0 of partitions with no predecessor, used only when the format file is created.
    public init(directory: String, clock: any EpochClock = SystemEpochClock(), smallestBaseSlots: Int = 1 << 16) throws {
        self.directory = directory
        self.clock = clock
        format = try NonceTableFormat.loadOrCreate(directory: directory, smallestBaseSlots: smallestBaseSlots)
    }

    public func insertIfAbsent(_ nonce: TimestampNonce, expiresAt: Int64) throws -> Bool {
        let number = Self.floorDivision(nonce.timestamp, format.partitionSeconds)
        // The partition must last until its last timestamp is out of the window; the nonce's lifetime (twice the window)
        // after the partition's end covers that, as nonces.expires_at did for single nonces.
        let now = clock.now()
        let lifetime = max(0, Self.saturatingSum(expiresAt, -now))
        let partitionEnd = Self.saturatingProduct(number + 1, format.partitionSeconds)
        let deleteAfter = Self.saturatingSum(Self.saturatingSum(partitionEnd, lifetime), Self.slackSeconds)
        let fingerprint = try NonceFingerprint(nonce, salt: format.salt)
        return try partitions.withLock { open in
            try open.partition(number, directory: directory, smallestBaseSlots: format.smallestBaseSlots, deleteAfter: deleteAfter,
                               now: now)
                .insertIfAbsent(fingerprint, deleteAfter: deleteAfter)
        }
    }

    /// Deletes the partition files whose timestamps are all out of the window at `time`; returns how many nonces they held.
    /// Leftover temporary files of interrupted creations go too.
    public func purge(expiredAt time: Int64) throws -> Int {
        try partitions.withLock { open in
            var removed = 0
            for name in POSIXFile.entries(directory) {
                let path = directory + "/" + name
                guard let number = NonceTablePartition.number(fromFileName: name) else {
                    if name.hasSuffix(".new") || name.hasPrefix(NonceTableFormat.fileName + "."),
                       let modified = POSIXFile.modificationTime(path), modified < time - 3600 {
                        POSIXFile.remove(path)
                    }
                    continue
                }
                guard let partition = try NonceTablePartition(number: number, directory: directory, smallestBaseSlots: format.smallestBaseSlots, deleteAfter: nil),
                      let held = try partition.removeIfExpired(at: time) else { continue }
                removed += held
                open.close(number)
            }
            return removed
        }
    }

    /// How many nonces the table holds (reads every partition file).
    public func count() throws -> Int {
        try POSIXFile.entries(directory).compactMap(NonceTablePartition.number(fromFileName:)).reduce(0) { total, number in
            try total + (NonceTablePartition(number: number, directory: directory, smallestBaseSlots: format.smallestBaseSlots, deleteAfter: nil)?.count() ?? 0)
        }
    }

    static func floorDivision(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    private static func saturatingProduct(_ a: Int64, _ b: Int64) -> Int64 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? ((a < 0) != (b < 0) ? Int64.min : Int64.max) : product
    }

    private static func saturatingSum(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b < 0 ? Int64.min : Int64.max) : sum
    }
}

/// The partition files one process has open.
private struct OpenPartitions {
    private var files: [Int64: NonceTablePartition] = [:]

    /// The open partition `number`, opened (or created) when needed. One whose deletion time has passed is reopened,
    /// since another process may have deleted and recreated its file.
    mutating func partition(_ number: Int64, directory: String, smallestBaseSlots: Int, deleteAfter: Int64,
                            now: Int64) throws -> NonceTablePartition {
        if let partition = files[number], partition.lastKnownDeleteAfter > now { return partition }
        files[number] = nil
        if files.count >= NonceTableStore.openLimit, let oldest = files.keys.min() { files[oldest] = nil }
        guard let partition = try NonceTablePartition(number: number, directory: directory, smallestBaseSlots: smallestBaseSlots,
                                                      deleteAfter: deleteAfter) else {
            throw POSIXFile.Failure(operation: "open", path: directory + "/" + NonceTablePartition.fileName(number), code: ENOENT)
        }
        files[number] = partition
        return partition
    }

    mutating func close(_ number: Int64) {
        files[number] = nil
    }
}
