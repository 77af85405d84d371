import CSQLite
import Synchronization

/// The header of a WAL database's shared-memory index (https://www.sqlite.org/walformat.html, "The WAL-Index Header"):
/// every commit by any process changes it (frame count, checksums, change counter, and salts when the WAL starts over),
/// so two equal stamps mean no commit happened in between. Read without a lock or a system call.
struct WALChangeStamp: Equatable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// The header is 48 bytes, kept twice in a row; a writer updates the second copy, then the first.
    private static let headerBytes = 48
    /// The size of one shared-memory region, as SQLite maps them (WALINDEX_PGSZ).
    private static let regionBytes: Int32 = 32_768
    /// `iVersion` of the only WAL-index format SQLite 3 has had.
    private static let formatVersion: UInt32 = 3_007_000

    static func == (a: Self, b: Self) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
            && a.words.3 == b.words.3 && a.words.4 == b.words.4 && a.words.5 == b.words.5
    }

    /// The current header of the connection's main database, or nil when it cannot be read consistently (not in WAL
    /// mode, index not mapped yet, an unknown format, or a writer updating it right now): the caller then reads the
    /// database itself. Only call it on a connection that is in WAL mode: SQLite's xShmMap would otherwise create the index.
    static func current(_ handle: OpaquePointer) -> WALChangeStamp? {
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard sqlite3_file_control(handle, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK, let file,
              let methods = file.pointee.pMethods, methods.pointee.iVersion >= 2, let map = methods.pointee.xShmMap else {
            return nil
        }
        var region: UnsafeMutableRawPointer?
        guard map(file, 0, regionBytes, 0, &region) == SQLITE_OK, let region else { return nil }
        let base = UnsafeRawPointer(region)
        // As SQLite's own readers do: first copy, barrier, second copy; equal copies are a header no writer was changing.
        let first = load(base)
        atomicMemoryFence(ordering: .acquiring)
        let second = load(base + headerBytes)
        guard first == second else { return nil }
        let version = base.loadUnaligned(as: UInt32.self)
        let isInitialized = base.loadUnaligned(fromByteOffset: 12, as: UInt8.self)
        guard version == formatVersion, isInitialized != 0 else { return nil }
        return first
    }

    private static func load(_ pointer: UnsafeRawPointer) -> WALChangeStamp {
        WALChangeStamp(words: (pointer.loadUnaligned(as: UInt64.self), pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                               pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self), pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self),
                               pointer.loadUnaligned(fromByteOffset: 32, as: UInt64.self), pointer.loadUnaligned(fromByteOffset: 40, as: UInt64.self)))
    }
}
