/// Percent-encoding as RFC 5849 section 3.6 defines it, and the strict decoding the provider applies to what clients send.
public enum PercentEncoding {
    /// Encodes a string per RFC 5849 section 3.6: UTF-8 bytes, unreserved characters kept, every other byte as `%XX` with uppercase hex.
    public static func encode(_ string: String) -> String {
        let bytes = Array(string.utf8)
        // Most protocol values (keys, tokens, nonces, timestamps) hold only unreserved characters: they are their own encoding.
        if bytes.allSatisfy(isUnreserved) { return string }
        var encoded = [UInt8]()
        encoded.reserveCapacity(3 * bytes.count)
        for byte in bytes {
            if isUnreserved(byte) {
                encoded.append(byte)
            } else {
                encoded.append(UInt8(ascii: "%"))
                encoded.append(hexDigit(byte >> 4))
                encoded.append(hexDigit(byte & 0x0F))
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    /// Decodes `%XX` escapes (and `+` as a space when `plusIsSpace`), refusing malformed escapes and bytes that are not UTF-8 (RFC 5849 section 3.6).
    public static func decode<S: StringProtocol>(_ string: S, plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        var utf8 = Array(string.utf8)
        return try decode(bytes: &utf8, plusIsSpace: plusIsSpace)
    }

    static func decode(bytes: inout [UInt8], plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        try bytes.withUnsafeBufferPointer { buffer throws(PercentDecodingError) in try decode(buffer, plusIsSpace: plusIsSpace) }
    }

    /// Decodes bytes in place of a parsed request (RFC 5849 section 3.6); offsets in errors count from the first byte.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        if !mayNeedDecoding(bytes, plusIsSpace: plusIsSpace) { return String(decoding: bytes, as: UTF8.self) }
        // Decoded into temporary storage (never longer than the input); ASCII text needs no validation.
        let decoded = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { output -> Result<String, PercentDecodingError> in
            var count = 0
            var nonASCII: UInt8 = 0
            var hasNul = false
            var index = 0
            while index < bytes.count {
                var byte = bytes[index]
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < bytes.count,
                          let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else {
                        return .failure(.malformedEscape(offset: index))
                    }
                    byte = high << 4 | low
                    index += 3
                } else {
                    if plusIsSpace && byte == UInt8(ascii: "+") { byte = UInt8(ascii: " ") }
                    index += 1
                }
                output[count] = byte
                count += 1
                nonASCII |= byte & 0x80
                hasNul = hasNul || byte == 0
            }
            if hasNul { return .failure(.nulByte) }
            let text = UnsafeBufferPointer(rebasing: output[..<count])
            if nonASCII == 0 { return .success(String(decoding: text, as: UTF8.self)) }
            guard let validated = String(validating: text, as: UTF8.self) else { return .failure(.invalidUTF8) }
            return .success(validated)
        }
        return try decoded.get()
    }

    /// Whether bytes hold a `%`, a `+` (when it means a space), a NUL or a non-ASCII byte: text without any is its own decoding.
    static func mayNeedDecoding(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> Bool {
        bytes.contains { byte in
            byte == UInt8(ascii: "%") || byte == 0 || byte >= 0x80 || (plusIsSpace && byte == UInt8(ascii: "+"))
        }
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
