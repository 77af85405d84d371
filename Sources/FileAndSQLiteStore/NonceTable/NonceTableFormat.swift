import ProviderStorage
import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

/// What every process must agree on for one nonce table directory, fixed when the directory is first used: how many
/// seconds of `oauth_timestamp` one partition file covers, the smallest level 0 of a partition, and the secret salt of
/// the fingerprints. Kept in the file
/// `format`, which is written whole under a temporary name and then linked into place, so no process reads half of it.
struct NonceTableFormat: Sendable, Equatable {
    /// Seconds of `oauth_timestamp` per partition file.
    let partitionSeconds: Int64
    /// Slots in the level 0 of a partition that has no predecessor to size it from (a power of two).
    let smallestBaseSlots: Int
    /// Secret bytes hashed before every fingerprint, so fingerprints cannot be computed outside the provider.
    let salt: [UInt8]

    static let fileName = "format"
    private static let header = "oauth1-fcgi nonce table 1"
    private static let saltBytes = 32

    /// Reads the directory's format, creating the directory (0700) and the file with a new salt when absent.
    /// The default level 0: 65,536 slots, 1 MiB of sparse file, which holds a minute of about 800 requests per second.
    static let defaultBaseSlots = 1 << 16

    static func loadOrCreate(directory: String, partitionSeconds: Int64 = 64,
                             smallestBaseSlots: Int = defaultBaseSlots) throws -> NonceTableFormat {
        try POSIXFile.makeDirectory(directory)
        let path = directory + "/" + fileName
        if let existing = try POSIXFile.readAll(path) { return try parse(existing, path: path) }
        var salt = [UInt8](repeating: 0, count: saltBytes)
        SystemRandomSource().fill(&salt)
        let created = NonceTableFormat(partitionSeconds: partitionSeconds, smallestBaseSlots: smallestBaseSlots, salt: salt)
        let temporary = directory + "/format.\(getpid()).\(Digest.hex(Array(salt.prefix(4))))"
        try POSIXFile.writeNew(temporary, Array(created.text.utf8), synchronize: true)
        defer { POSIXFile.remove(temporary) }
        if try POSIXFile.link(temporary, path) { return created }
        // Another process made it first: use theirs.
        guard let existing = try POSIXFile.readAll(path) else { throw POSIXFile.Failure(operation: "read", path: path, code: ENOENT) }
        return try parse(existing, path: path)
    }

    private var text: String {
        "\(Self.header)\npartition-seconds \(partitionSeconds)\nlevel0-slots \(smallestBaseSlots)\nsalt \(Digest.hex(salt))\n"
    }

    private static func parse(_ bytes: [UInt8], path: String) throws -> NonceTableFormat {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.count == 4, lines[0] == header, lines[1].hasPrefix("partition-seconds "), lines[2].hasPrefix("level0-slots "),
              lines[3].hasPrefix("salt "),
              let seconds = Int64(lines[1].dropFirst(18)), (1...86_400).contains(seconds),
              let slots = Int(lines[2].dropFirst(13)), slots >= NonceTablePartition.windowSlots,
              slots <= NonceTablePartition.largestBaseSlots, slots & (slots - 1) == 0,
              let salt = Digest.bytes(fromHex: String(lines[3].dropFirst(5))), salt.count == saltBytes else {
            throw CorruptRecordError(path: path, detail: "the nonce table's format file is not one this provider wrote")
        }
        return NonceTableFormat(partitionSeconds: seconds, smallestBaseSlots: slots, salt: salt)
    }
}
