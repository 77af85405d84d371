#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the POSIX calls the data directory and the nonce table need, reporting failures with the path and
/// the system's reason.
enum POSIXFile {
    /// A failed system call on a path.
    struct Failure: Error, CustomStringConvertible {
        let operation: String
        let path: String
        let code: Int32
        var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    }

    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws {
        if mkdir(path, mode) != 0, errno != EEXIST { throw Failure(operation: "mkdir", path: path, code: errno) }
    }

    /// A directory only its owner can enter: created 0700, or an existing one of ours stripped of group and other access
    /// (it holds the database, the session key and the nonce table).
    static func makePrivateDirectory(_ path: String) throws {
        try makeDirectory(path)
        var info = stat()
        guard stat(path, &info) == 0 else { throw Failure(operation: "stat", path: path, code: errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw Failure(operation: "mkdir", path: path, code: ENOTDIR) }
        if info.st_uid == geteuid(), info.st_mode & 0o077 != 0, chmod(path, info.st_mode & 0o700) != 0 {
            throw Failure(operation: "chmod", path: path, code: errno)
        }
    }

    /// The whole file, or nil when it does not exist.
    static func readAll(_ path: String) throws -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw Failure(operation: "open", path: path, code: errno)
        }
        defer { close(descriptor) }
        var result = [UInt8]()
        while true {
            let chunk = try read(descriptor, count: 4096, at: result.count, path: path)
            result += chunk
            if chunk.count < 4096 { return result }
        }
    }

    /// Up to `count` bytes at `offset` (pread); fewer only where the file ends.
    static func read(_ descriptor: Int32, count: Int, at offset: Int, path: String) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { bytes in
                pread(descriptor, bytes.baseAddress.map { $0 + filled }, count - filled, off_t(offset + filled))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "read", path: path, code: errno)
            }
            if got == 0 { break }
            filled += got
        }
        buffer.removeLast(count - filled)
        return buffer
    }

    /// Writes all of `bytes` at `offset` (pwrite).
    static func write(_ descriptor: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { all in
                pwrite(descriptor, all.baseAddress.map { $0 + written }, bytes.count - written, off_t(offset + written))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "write", path: path, code: errno)
            }
            written += count
        }
    }

    /// Writes a new file with mode 0600; it must not exist yet. With `synchronize`, its bytes reach the disk before it
    /// is closed (for a file that is written once and must survive a power loss whole).
    static func writeNew(_ path: String, _ bytes: [UInt8], synchronize: Bool = false) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(operation: "create", path: path, code: errno) }
        defer { close(descriptor) }
        do {
            try write(descriptor, bytes, at: 0, path: path)
            if synchronize, fsync(descriptor) != 0 { throw Failure(operation: "fsync", path: path, code: errno) }
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Links atomically; false when the target exists.
    static func link(_ from: String, _ to: String) throws -> Bool {
        if Glibc.link(from, to) == 0 { return true }
        if errno == EEXIST { return false }
        throw Failure(operation: "link", path: to, code: errno)
    }

    /// Removes a file; false when it was not there.
    @discardableResult
    static func remove(_ path: String) -> Bool { unlink(path) == 0 }

    /// The names in a directory, without `.` and `..`; empty when it cannot be read.
    static func entries(_ directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names = [String]()
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The file's modification time in seconds since the epoch, or nil when it cannot be read.
    static func modificationTime(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_mtim.tv_sec)
    }
}
