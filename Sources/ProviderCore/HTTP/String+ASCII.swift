#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// Whether every byte is ASCII, so that ASCII case mapping is the whole of Unicode's.
    var containsOnlyASCII: Bool {
        utf8.allSatisfy { $0 < 0x80 }
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

    /// Byte equality once ASCII letters are lowercased.
    private static func equalFoldingASCIICase(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).allSatisfy { asciiLowercase($0) == asciiLowercase($1) }
    }

    /// A byte with ASCII `A`...`Z` lowercased.
    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
