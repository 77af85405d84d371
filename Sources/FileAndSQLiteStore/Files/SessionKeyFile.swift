import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

/// The session signing key of a SQLite site: 32 random bytes as 64 hexadecimal digits in a 0600 file of the data
/// directory, made by the first process that needs it.
enum SessionKeyFile {
    /// Reads the key, creating it on first use; safe when several processes start at once (the first link wins).
    static func load(path: String) throws -> [UInt8] {
        for _ in 0..<50 {
            if let bytes = try POSIXFile.readAll(path) {
                let trimmed = String(decoding: bytes.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
                if trimmed.utf8.count == 64, let key = Digest.bytes(fromHex: trimmed) { return key }
                // An empty file is one being written by another process: read again shortly.
                if !trimmed.isEmpty { throw SessionKeyError(path: path) }
            } else {
                var key = [UInt8](repeating: 0, count: 32)
                SystemRandomSource().fill(&key)
                let temporary = path + ".new." + String(getpid())
                try POSIXFile.writeNew(temporary, Array((Digest.hex(key) + "\n").utf8))
                defer { POSIXFile.remove(temporary) }
                // link() fails if another process created the key first; then everyone reads that one.
                if try POSIXFile.link(temporary, path) { return key }
                continue
            }
            usleep(10_000)
        }
        throw SessionKeyError(path: path)
    }
}

/// The session key file is unreadable or malformed.
struct SessionKeyError: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path) cannot be read or created, or is not 64 hexadecimal digits; check the data directory's permissions" }
}
