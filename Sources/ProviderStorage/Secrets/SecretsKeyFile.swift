#if canImport(Glibc)
import Glibc
#endif

/// The file that holds the secrets key ring (`OAUTH1_SECRETS_KEY_FILE`, or `secrets.key` in a SQLite site's data
/// directory): read, created once, and replaced whole by a rename, so a reader sees the old ring or the new one.
public enum SecretsKeyFile {
    /// What identifies one version of the file: a replacement is a new inode, an edit a new modification time or size.
    public struct Stamp: Sendable, Equatable {
        let device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int, modifiedNanoseconds: Int
    }

    /// The file's stamp, or nil when it does not exist.
    public static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                     modifiedSeconds: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec)
    }

    /// Reads the ring, or nil when the file does not exist; refuses a file any user may read.
    public static func read(_ path: String) throws(SecretsKeyError) -> (ring: SecretsKeyRing, stamp: Stamp)? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw SecretsKeyError("cannot read the secrets key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw SecretsKeyError("cannot read the secrets key file \(path): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & 0o004 != 0 {
            throw SecretsKeyError("the secrets key file \(path) is readable by every user; chmod 600 it (or 640 with the provider's group)")
        }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SecretsKeyError("cannot read the secrets key file \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += buffer.prefix(count)
            guard bytes.count <= 65_536 else { throw SecretsKeyError("the secrets key file \(path) is too large to be a key file") }
        }
        let stamp = Stamp(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                          modifiedSeconds: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec)
        return (try SecretsKeyRing(fileBytes: bytes, path: path), stamp)
    }

    /// Creates the file with a new key unless it exists (then leaves it alone); safe when several processes start at once:
    /// the first link wins. Returns whether this call created it.
    @discardableResult
    public static func create(_ path: String) throws(SecretsKeyError) -> Bool {
        let temporary = try writeTemporary(for: path, SecretsKeyRing(keys: [.generate()]))
        defer { unlink(temporary) }
        if link(temporary, path) == 0 { return true }
        if errno == EEXIST { return false }
        throw SecretsKeyError("cannot create the secrets key file \(path): \(String(cString: strerror(errno)))")
    }

    /// Replaces the file's ring in one rename, keeping the file's mode (0600 for a new file).
    public static func replace(_ path: String, with ring: SecretsKeyRing) throws(SecretsKeyError) {
        let temporary = try writeTemporary(for: path, ring)
        var info = stat()
        if stat(path, &info) == 0 {
            _ = chmod(temporary, info.st_mode & 0o770)
            _ = chown(temporary, info.st_uid, info.st_gid)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SecretsKeyError("cannot replace the secrets key file \(path): \(reason)")
        }
    }

    /// Writes the ring to a new 0600 file beside `path`, flushed to disk; returns its name.
    static func writeTemporary(for path: String, _ ring: SecretsKeyRing) throws(SecretsKeyError) -> String {
        let temporary = path + ".new." + String(getpid())
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SecretsKeyError("cannot write the secrets key file \(temporary): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(ring.fileText.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw SecretsKeyError("cannot write the secrets key file \(temporary): \(reason)")
            }
            written += count
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SecretsKeyError("cannot write the secrets key file \(temporary): \(reason)")
        }
        return temporary
    }
}
