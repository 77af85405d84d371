#if canImport(Glibc)
import Glibc
#endif

/// The `Authorization: OAuth` header of RFC 5849 section 3.5.1, parsed into its realm and its percent-decoded parameters.
public struct AuthorizationHeader: Sendable, Equatable {
    /// The `realm` value, kept apart: it is never part of the signature base string.
    public var realm: String?
    /// Every other parameter, in header order, names and values percent-decoded.
    public var parameters: [Parameter]

    /// Whether a header value uses the `OAuth` scheme (case-insensitive, RFC 5849 section 3.5.1).
    public static func isOAuth(_ value: String) -> Bool {
        if let answer = value.utf8.withContiguousStorageIfAvailable(isOAuth) { return answer }
        return Array(value.utf8).withUnsafeBufferPointer(isOAuth)
    }

    /// The same test over the header's bytes.
    private static func isOAuth(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 5, bytes[0] | 0x20 == UInt8(ascii: "o"), bytes[1] | 0x20 == UInt8(ascii: "a"),
              bytes[2] | 0x20 == UInt8(ascii: "u"), bytes[3] | 0x20 == UInt8(ascii: "t"), bytes[4] | 0x20 == UInt8(ascii: "h") else {
            return false
        }
        return bytes.count == 5 || bytes[5] == 0x20 || bytes[5] == 0x09
    }

    /// Parses a header value such as `OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03"` (RFC 5849 section 3.5.1).
    public init(parsing value: String) throws(AuthorizationHeaderError) {
        var parameters = [Parameter]()
        parameters.reserveCapacity(8)
        realm = try Self.parse(value) { name, value in parameters.append(Parameter(name, value)) }
        self.parameters = parameters
    }

    /// Parses a header value, handing each parameter but `realm` to `add` in header order, and returns the realm.
    static func parse(_ value: String, _ add: (String, String) -> Void) throws(AuthorizationHeaderError) -> String? {
        guard Self.isOAuth(value) else { throw .notOAuthScheme }
        var value = value
        // Scanned over the header's own UTF-8: names and values are read as ranges of it, not copied out first.
        let parsed = value.withUTF8 { bytes in
            Result { () throws(AuthorizationHeaderError) -> String? in try Self.parse(bytes, add) }
        }
        return try parsed.get()
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ add: (String, String) -> Void) throws(AuthorizationHeaderError) -> String? {
        var scanner = HeaderScanner(bytes, start: 5)
        var realm: String?
        scanner.skipWhitespace()
        while !scanner.isAtEnd {
            let rawName = UnsafeBufferPointer(rebasing: bytes[scanner.readToken()])
            guard !rawName.isEmpty else { throw .malformed("expected a parameter name at byte \(scanner.offset)") }
            scanner.skipWhitespace()
            guard scanner.consume(UInt8(ascii: "=")) else {
                throw .malformed("parameter '\(String(decoding: rawName, as: UTF8.self))' has no '=' and value")
            }
            scanner.skipWhitespace()
            let rawValue: HeaderScanner.Value
            if scanner.consume(UInt8(ascii: "\"")) {
                guard let quoted = scanner.readQuoted() else {
                    throw .malformed("the value of '\(String(decoding: rawName, as: UTF8.self))' has no closing quote")
                }
                rawValue = quoted
            } else {
                rawValue = .range(scanner.readToken())
            }
            let name: String
            let decodedValue: String
            do {
                name = try PercentEncoding.decode(rawName, plusIsSpace: false)
                switch rawValue {
                case .range(let range):
                    decodedValue = try PercentEncoding.decode(UnsafeBufferPointer(rebasing: bytes[range]), plusIsSpace: false)
                case .unescaped(var copy):
                    decodedValue = try PercentEncoding.decode(bytes: &copy, plusIsSpace: false)
                }
            } catch {
                throw .badEncoding(parameter: String(decoding: rawName, as: UTF8.self), error)
            }
            if name.utf8.count == 5, name == "realm" {
                guard realm == nil else { throw .malformed("realm appears more than once") }
                realm = decodedValue
            } else {
                add(name, decodedValue)
            }
            scanner.skipWhitespace()
            if scanner.isAtEnd { break }
            guard scanner.consume(UInt8(ascii: ",")) else {
                throw .malformed("expected ',' between parameters at byte \(scanner.offset)")
            }
            scanner.skipWhitespace()
        }
        return realm
    }
}

/// Why an `Authorization` header could not be read as OAuth credentials.
public enum AuthorizationHeaderError: Error, Equatable, Sendable {
    /// The header uses another scheme, such as Basic.
    case notOAuthScheme
    /// The header's syntax is broken; the text says where.
    case malformed(String)
    /// A name or value has bad percent-encoding.
    case badEncoding(parameter: String, PercentDecodingError)

    /// A sentence saying what is wrong and how to fix it.
    public var sentence: String {
        switch self {
        case .notOAuthScheme:
            return "The Authorization header does not use the OAuth scheme."
        case .malformed(let detail):
            return "The Authorization header is malformed: \(detail). Send name=\"value\" pairs separated by commas."
        case .badEncoding(let parameter, let error):
            return "The Authorization header parameter '\(parameter)' \(error.sentence); percent-encode it per RFC 5849 section 3.6."
        }
    }
}

/// A byte cursor over an `Authorization` header's parameter list.
struct HeaderScanner {
    /// A value as it stands in the header (a range of it), or unescaped into a copy when it had backslashes.
    enum Value {
        case range(Range<Int>)
        case unescaped([UInt8])
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var offset: Int

    /// A cursor over `bytes` from offset `start`; offsets stay those of the whole buffer.
    init(_ bytes: UnsafeBufferPointer<UInt8>, start: Int = 0) {
        self.bytes = bytes
        offset = min(start, bytes.count)
    }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func skipWhitespace() {
        while offset < bytes.count, bytes[offset] == 0x20 || bytes[offset] == 0x09 || bytes[offset] == 0x0D || bytes[offset] == 0x0A {
            offset += 1
        }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    /// Reads an HTTP token (RFC 9110 tchar), which also covers percent-encoded names and unquoted values.
    mutating func readToken() -> Range<Int> {
        let start = offset
        while offset < bytes.count, Self.isTokenCharacter(bytes[offset]) { offset += 1 }
        return start..<offset
    }

    /// Reads up to the closing quote; a backslash escapes the next byte (RFC 9110 quoted-string).
    mutating func readQuoted() -> Value? {
        // The usual value has no backslash: it is a range of the header as it stands.
        let start = offset
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\""), bytes[offset] != UInt8(ascii: "\\") { offset += 1 }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") {
            offset += 1
            return .range(start..<offset - 1)
        }
        offset = start
        var value = [UInt8]()
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            if byte == UInt8(ascii: "\"") { return .unescaped(value) }
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
}
