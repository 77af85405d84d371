#if canImport(Glibc)
import ProviderStorage
import Glibc
#endif

/// One partition file of the nonce table: the fingerprints of the nonces whose `oauth_timestamp` falls in one span of
/// seconds, in an open-addressing hash table that lives in the file and is read and written with pread and pwrite
/// (so it costs page cache, not process memory). An insert holds the file's `flock` from its read to its write, which
/// makes "insert if absent" atomic across processes; a pwrite that returned is in the kernel's page cache, so it
/// survives the process being killed.
///
/// Layout: a 4096-byte header, then levels 0, 1, 2, ... of `baseSlots × 4^level` slots of 16 bytes each. A fingerprint
/// belongs to one window of 16 slots (256 bytes, one pread) per level, chosen by its own bits; when that window is full
/// at level k, the fingerprint goes to level k + 1. Each level quadruples, so a burst costs few extra reads, and a new
/// partition's level 0 is as large as its predecessor grew, so a steady rate needs one. Slots are never cleared (the whole file is deleted once its
/// timestamps are out of the window), so the windows a fingerprint passes on its way stay full, and a second insert of
/// it walks the same path and finds it.
final class NonceTablePartition {
    let path: String
    private let descriptor: Int32
    /// Slots in level 0, a power of two of at least one window.
    let baseSlots: Int
    /// The latest deletion time this process knows the header holds.
    private(set) var lastKnownDeleteAfter: Int64

    static let headerBytes = 4096
    static let slotBytes = 16
    static let windowSlots = 16
    static let windowBytes = slotBytes * windowSlots
    static let maximumLevels = 6
    private static let magic: [UInt8] = Array("oauth1nt".utf8)
    private static let deleteAfterOffset = 24
    /// The largest level 0 a partition starts with (64 MiB of slots, sparse until used).
    static let largestBaseSlots = 1 << 22

    /// Opens the partition file; when it is absent, creates it whole (header first, linked into place) if given the
    /// deletion time for its header, else returns nil. A new file's level 0 is sized from the previous partition's file,
    /// so a steady rate fits in level 0.
    init?(number: Int64, directory: String, smallestBaseSlots: Int, deleteAfter: Int64?) throws {
        path = directory + "/" + Self.fileName(number)
        var descriptor = open(path, O_RDWR | O_CLOEXEC)
        if descriptor < 0, errno == ENOENT {
            guard let deleteAfter else { return nil }
            let previous = directory + "/" + Self.fileName(number - 1)
            try Self.create(path: path, baseSlots: Self.baseSlots(after: previous, smallest: smallestBaseSlots), deleteAfter: deleteAfter)
            descriptor = open(path, O_RDWR | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw POSIXFile.Failure(operation: "open", path: path, code: errno) }
        self.descriptor = descriptor
        do {
            let header = try Self.readHeader(descriptor, path: path)
            baseSlots = header.baseSlots
            lastKnownDeleteAfter = header.deleteAfter
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit { close(descriptor) }

    /// The file name of partition `number`.
    static func fileName(_ number: Int64) -> String { "p\(number)" }

    /// The partition number in a file name made by `fileName`, or nil for any other name.
    static func number(fromFileName name: String) -> Int64? {
        guard name.hasPrefix("p") else { return nil }
        let digits = name.dropFirst()
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) }) else { return nil }
        return Int64(digits)
    }

    /// Stores `fingerprint` unless it is there already; true when stored. Raises the file's deletion time to
    /// `deleteAfter` if it is later.
    func insertIfAbsent(_ fingerprint: NonceFingerprint, deleteAfter: Int64) throws -> Bool {
        try withLock {
            if deleteAfter > lastKnownDeleteAfter { try raiseDeleteAfter(to: deleteAfter) }
            var levelStart = Self.headerBytes
            for level in 0..<Self.maximumLevels {
                let levelSlots = baseSlots << (2 * level)
                let windowIndex = Int(fingerprint.windowSeed(level: level) & UInt64(levelSlots / Self.windowSlots - 1))
                let offset = levelStart + windowIndex * Self.windowBytes
                levelStart += levelSlots * Self.slotBytes
                let window = try readWindow(at: offset)
                var free: Int?
                for slot in 0..<Self.windowSlots {
                    let start = slot * Self.slotBytes
                    if fingerprint.matches(window, at: start) { return false }
                    if free == nil, NonceFingerprint.isEmpty(window, at: start) { free = slot }
                }
                if let free {
                    try POSIXFile.write(descriptor, fingerprint.bytes, at: offset + free * Self.slotBytes, path: path)
                    return true
                }
            }
            throw POSIXFile.Failure(operation: "insert into", path: path, code: ENOSPC)
        }
    }

    /// Deletes the file if its deletion time has passed at `time`, holding its lock so no insert raises that time
    /// meanwhile; returns how many fingerprints it held, or nil when it is still live.
    func removeIfExpired(at time: Int64) throws -> Int? {
        try withLock {
            guard try Self.readHeader(descriptor, path: path).deleteAfter <= time else { return nil }
            let held = try countUnlocked()
            POSIXFile.remove(path)
            return held
        }
    }

    /// How many fingerprints the file holds (for purges and reports, not for requests). Reads only the parts of the
    /// sparse file that hold data: after a burst the levels span far more file than was ever written.
    func count() throws -> Int {
        try withLock { try countUnlocked() }
    }

    private func countUnlocked() throws -> Int {
        var total = 0
        var offset = off_t(Self.headerBytes)
        while true {
            let data = lseek(descriptor, offset, Self.seekData)
            if data < 0 {
                if errno == ENXIO { return total }  // no data past `offset`
                throw POSIXFile.Failure(operation: "seek in", path: path, code: errno)
            }
            let hole = lseek(descriptor, data, Self.seekHole)
            guard hole >= 0 else { throw POSIXFile.Failure(operation: "seek in", path: path, code: errno) }
            // Data starts on a file-system block, which slots (16 bytes after a 4096-byte header) never straddle.
            var position = Int(data) - (Int(data) - Self.headerBytes) % Self.slotBytes
            while position < Int(hole) {
                let chunk = try POSIXFile.read(descriptor, count: min(1 << 20, Int(hole) - position), at: position, path: path)
                if chunk.count < Self.slotBytes { break }
                for start in stride(from: 0, through: chunk.count - Self.slotBytes, by: Self.slotBytes)
                where !NonceFingerprint.isEmpty(chunk, at: start) {
                    total += 1
                }
                position += chunk.count - chunk.count % Self.slotBytes
            }
            offset = hole
        }
    }

    /// lseek's SEEK_DATA and SEEK_HOLE (Linux values; a file system without holes reports the whole file as data).
    private static let seekData: Int32 = 3
    private static let seekHole: Int32 = 4

    // MARK: File access

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        while flock(descriptor, LOCK_EX) != 0 {
            if errno != EINTR { throw POSIXFile.Failure(operation: "flock", path: path, code: errno) }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    private func raiseDeleteAfter(to time: Int64) throws {
        let stored = try Self.readHeader(descriptor, path: path).deleteAfter
        if time > stored {
            try POSIXFile.write(descriptor, .littleEndian(time), at: Self.deleteAfterOffset, path: path)
            lastKnownDeleteAfter = time
        } else {
            lastKnownDeleteAfter = stored
        }
    }

    /// The window of slots at `offset`; slots past the end of the file read as zero (empty).
    private func readWindow(at offset: Int) throws -> [UInt8] {
        var window = try POSIXFile.read(descriptor, count: Self.windowBytes, at: offset, path: path)
        // Past the end of the file a sparse level reads as empty slots.
        if window.count < Self.windowBytes { window += [UInt8](repeating: 0, count: Self.windowBytes - window.count) }
        return window
    }

    // MARK: Header

    private static func readHeader(_ descriptor: Int32, path: String) throws -> (baseSlots: Int, deleteAfter: Int64) {
        let header = try POSIXFile.read(descriptor, count: 32, at: 0, path: path)
        // Checked before it becomes an Int: a damaged header may hold any 64-bit value.
        let storedSlots = header.count == 32 ? header.littleEndianWord(at: 16) : 0
        guard header.prefix(8).elementsEqual(magic),
              storedSlots >= windowSlots, storedSlots <= largestBaseSlots, storedSlots & (storedSlots - 1) == 0 else {
            throw CorruptRecordError(path: path, detail: "not a nonce table partition of this version")
        }
        return (Int(storedSlots), Int64(bitPattern: header.littleEndianWord(at: deleteAfterOffset)))
    }

    private static func create(path: String, baseSlots: Int, deleteAfter: Int64) throws {
        var header = magic + [UInt8](repeating: 0, count: 8)
        header += [UInt8].littleEndian(UInt64(baseSlots)) + .littleEndian(deleteAfter)
        header += [UInt8](repeating: 0, count: headerBytes - header.count)
        // Unique per call, not only per process: two stores on one directory in one process may create a partition at once.
        let temporary = path + ".\(getpid()).\(UInt64.random(in: 0 ... .max)).new"
        try POSIXFile.writeNew(temporary, header)
        defer { POSIXFile.remove(temporary) }
        _ = try POSIXFile.link(temporary, path)
    }

    /// Level 0 of a new partition: as many slots as the previous partition spanned (its levels in use), within bounds.
    private static func baseSlots(after previousPath: String, smallest: Int) -> Int {
        var info = stat()
        guard stat(previousPath, &info) == 0, Int(info.st_size) > headerBytes else { return smallest }
        let spanned = (Int(info.st_size) - headerBytes) / slotBytes
        var slots = smallest
        while slots < spanned, slots < largestBaseSlots { slots <<= 1 }
        return slots
    }
}
