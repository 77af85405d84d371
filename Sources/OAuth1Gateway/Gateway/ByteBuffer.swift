/// Bytes kept one after another in one growing allocation, with value semantics: storage shared by two copies is copied
/// before either writes. Appending is a uniqueness test, a room test and one copy, without Array's generic path; the
/// gateway's environment keeps its variables here and reuses the allocation from request to request.
struct ByteBuffer: @unchecked Sendable {
    /// The allocation. It is written only while this buffer is its sole owner, so a shared one is never changed.
    private final class Storage {
        let pointer: UnsafeMutableRawPointer
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            pointer = .allocate(byteCount: capacity, alignment: 8)
        }

        deinit { pointer.deallocate() }
    }

    private var storage: Storage
    /// How many bytes are kept.
    private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes.
    init(capacity: Int = 1024) {
        storage = Storage(capacity: Swift.max(capacity, 16))
    }

    /// Forgets every byte, keeping the allocation when no copy shares it.
    mutating func removeAll() {
        count = 0
    }

    /// Copies bytes to the end and returns where they now lie.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> Range<Int> {
        let start = count
        if !isKnownUniquelyReferenced(&storage) || start + bytes.count > storage.capacity {
            let grown = Storage(capacity: Swift.max(start + bytes.count, 2 * storage.capacity))
            grown.pointer.copyMemory(from: storage.pointer, byteCount: start)
            storage = grown
        }
        if let source = bytes.baseAddress, !bytes.isEmpty {
            (storage.pointer + start).copyMemory(from: source, byteCount: bytes.count)
        }
        count = start + bytes.count
        return start..<count
    }

    /// Calls `body` with the kept bytes.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(UnsafeRawBufferPointer(start: storage.pointer, count: count)) }
    }
}
