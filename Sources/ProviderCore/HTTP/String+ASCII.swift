extension String {
    /// Whether every byte is ASCII, so that ASCII case mapping is the whole of Unicode's.
    var containsOnlyASCII: Bool {
        var copy = self
        return copy.withUTF8 { bytes in bytes.allSatisfy { $0 < 0x80 } }
    }

    /// Whether the string is the lowercase ASCII `other` in any ASCII case. For a word without `i` or `k` (the only ASCII
    /// letters other characters lowercase to) this is `lowercased() == other`, without building a string.
    func isASCIICaseInsensitiveEqual(to other: StaticString) -> Bool {
        var copy = self
        return copy.withUTF8 { bytes in
            other.withUTF8Buffer { expected in
                bytes.count == expected.count && zip(bytes, expected).allSatisfy { byte, lower in
                    (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte) == lower
                }
            }
        }
    }
}
