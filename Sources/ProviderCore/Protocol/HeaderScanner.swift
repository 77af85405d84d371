/// A cursor over the bytes of an `Authorization` header's parameter list (RFC 5849 section 3.5.1, with the token and
/// quoted-string syntax of RFC 9110); offsets in error messages count from the header value's first byte.
struct HeaderScanner {
    private let bytes: [UInt8]
    /// The position of the next byte to read.
    private(set) var offset: Int

    /// A cursor over `bytes` from offset `start`.
    init(_ bytes: [UInt8], start: Int = 0) {
        self.bytes = bytes
        offset = min(start, bytes.count)
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset >= bytes.count }

    /// Skips spaces, tabs and line breaks.
    mutating func skipWhitespace() {
        while offset < bytes.count, Self.isWhitespace(bytes[offset]) { offset += 1 }
    }

    /// Reads `byte` when it is next, and says whether it was.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    /// Reads one `name=value` or `name="value"` pair, the name and value still percent-encoded, the quotes and backslash escapes removed.
    mutating func readNameAndValue() throws(AuthorizationHeaderError) -> (name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        let name = readToken()
        guard !name.isEmpty else { throw .malformed("expected a parameter name at byte \(offset)") }
        skipWhitespace()
        guard consume(UInt8(ascii: "=")) else {
            throw .malformed("parameter '\(String(decoding: name, as: UTF8.self))' has no '=' and value")
        }
        skipWhitespace()
        guard consume(UInt8(ascii: "\"")) else { return (name, readToken()) }
        guard let value = readQuoted() else {
            throw .malformed("the value of '\(String(decoding: name, as: UTF8.self))' has no closing quote")
        }
        return (name, ArraySlice(value))
    }

    /// Reads an HTTP token (RFC 9110 tchar), which also covers percent-encoded names and unquoted values.
    private mutating func readToken() -> ArraySlice<UInt8> {
        let start = offset
        while offset < bytes.count, Self.isTokenCharacter(bytes[offset]) { offset += 1 }
        return bytes[start..<offset]
    }

    /// Reads up to the closing quote; a backslash escapes the next byte (RFC 9110 quoted-string). Nil when the quote never closes.
    private mutating func readQuoted() -> [UInt8]? {
        var value = [UInt8]()
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            if byte == UInt8(ascii: "\"") { return value }
            if byte == UInt8(ascii: "\\") {
                guard offset < bytes.count else { return nil }
                value.append(bytes[offset])
                offset += 1
            } else {
                value.append(byte)
            }
        }
        return nil
    }

    /// Whether a byte may appear in an HTTP token: letters, digits and ``!#$%&'*+-.^_`|~`` (RFC 9110 section 5.6.2).
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Whether a byte is a space, a tab or a line break.
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }
}
