#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// Whether every byte is ASCII, so that ASCII case mapping is the whole of Unicode's.
    var containsOnlyASCII: Bool {
        if let answer = utf8.withContiguousStorageIfAvailable(Self.isASCII) { return answer }
        var copy = self
        return copy.withUTF8(Self.isASCII)
    }

    /// Whether no byte has its high bit set, tested eight bytes at a time.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Whether the string is the lowercase ASCII `other` in any ASCII case. For a word without `i` or `k` (the only ASCII
    /// letters other characters lowercase to) this is `lowercased() == other`, without building a string.
    func isASCIICaseInsensitiveEqual(to other: StaticString) -> Bool {
        // Folding `other` too changes nothing: it is lowercase already.
        other.withUTF8Buffer { expected in
            if let answer = utf8.withContiguousStorageIfAvailable({ Self.equalFoldingASCIICase($0, expected) }) { return answer }
            return Array(utf8).withUnsafeBufferPointer { Self.equalFoldingASCIICase($0, expected) }
        }
    }

    /// Whether two ASCII strings of the same length are equal once ASCII letters are lowercased, compared in place.
    func isASCIICaseInsensitiveEqual(toASCII other: String) -> Bool {
        let answer = utf8.withContiguousStorageIfAvailable { bytes in
            other.utf8.withContiguousStorageIfAvailable { otherBytes in Self.equalFoldingASCIICase(bytes, otherBytes) }
        }
        if let answer = answer ?? nil { return answer }
        let left = Array(utf8), right = Array(other.utf8)
        return left.withUnsafeBufferPointer { lhs in right.withUnsafeBufferPointer { Self.equalFoldingASCIICase(lhs, $0) } }
    }

    /// Byte equality once ASCII letters are lowercased: the same bytes (memcmp, the usual case) or the same after folding.
    private static func equalFoldingASCIICase(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard let left = lhs.baseAddress, let right = rhs.baseAddress else { return true }
        if memcmp(left, right, lhs.count) == 0 { return true }
        for index in 0..<lhs.count where asciiLowercase(left[index]) != asciiLowercase(right[index]) { return false }
        return true
    }

    /// A byte with ASCII `A`...`Z` lowercased.
    @inline(__always)
    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
