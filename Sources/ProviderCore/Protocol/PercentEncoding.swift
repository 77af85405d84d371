/// Percent-encoding as RFC 5849 section 3.6 defines it, and the strict decoding the provider applies to what clients send.
public enum PercentEncoding {
    /// Encodes a string per RFC 5849 section 3.6: UTF-8 bytes, unreserved characters kept, every other byte as `%XX` with uppercase hex.
    public static func encode(_ string: String) -> String {
        String(decoding: encode(bytes: string.utf8), as: UTF8.self)
    }

    /// The RFC 5849 section 3.6 encoding of some bytes, as bytes.
    static func encode(bytes: some Sequence<UInt8>) -> [UInt8] {
        var encoded = [UInt8]()
        encoded.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if isUnreserved(byte) {
                encoded.append(byte)
            } else {
                encoded.append(UInt8(ascii: "%"))
                encoded.append(hexDigit(byte >> 4))
                encoded.append(hexDigit(byte & 0x0F))
            }
        }
        return encoded
    }

    /// The uppercase hexadecimal digit of a value from 0 to 15.
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    /// Decodes `%XX` escapes (and `+` as a space when `plusIsSpace`), refusing malformed escapes and bytes that are not UTF-8 (RFC 5849 section 3.6).
    public static func decode<S: StringProtocol>(_ string: S, plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        try decode(bytes: string.utf8, plusIsSpace: plusIsSpace)
    }

    /// Decodes percent-encoded bytes (RFC 5849 section 3.6); the offset of a malformed escape counts from the first byte.
    /// A malformed escape anywhere is reported before a decoded NUL, and a NUL before bytes that are not UTF-8.
    static func decode(bytes: some Collection<UInt8>, plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        var decoded = [UInt8]()
        decoded.reserveCapacity(bytes.count)
        var offset = 0
        var input = bytes.makeIterator()
        while let byte = input.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = input.next().flatMap(hexValue), let low = input.next().flatMap(hexValue) else {
                    throw .malformedEscape(offset: offset)
                }
                decoded.append(high << 4 | low)
                offset += 3
            case UInt8(ascii: "+") where plusIsSpace:
                decoded.append(UInt8(ascii: " "))
                offset += 1
            default:
                decoded.append(byte)
                offset += 1
            }
        }
        if decoded.contains(0) { throw .nulByte }
        guard let text = String(validating: decoded, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    /// Whether a byte is in RFC 3986's unreserved set (ALPHA, DIGIT, `-`, `.`, `_`, `~`), which RFC 5849 section 3.6 leaves unencoded.
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// The value of a hexadecimal digit in either case, or nil.
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

/// Why a percent-encoded string could not be decoded.
public enum PercentDecodingError: Error, Equatable, Sendable {
    /// A `%` not followed by two hexadecimal digits, at this byte offset.
    case malformedEscape(offset: Int)
    /// The decoded bytes are not UTF-8, which RFC 5849 section 3.6 requires.
    case invalidUTF8
    /// The decoded bytes contain a NUL, which no parameter may hold.
    case nulByte

    /// A sentence saying what is wrong, for an error response.
    public var sentence: String {
        switch self {
        case .malformedEscape(let offset): return "has a '%' at byte \(offset) that is not followed by two hexadecimal digits"
        case .invalidUTF8: return "does not decode to UTF-8 text"
        case .nulByte: return "decodes to a NUL byte"
        }
    }
}
