/// The `Authorization: OAuth` header of RFC 5849 section 3.5.1, parsed into its realm and its percent-decoded parameters.
public struct AuthorizationHeader: Sendable, Equatable {
    /// The `realm` value, kept apart: it is never part of the signature base string.
    public var realm: String?
    /// Every other parameter, in header order, names and values percent-decoded.
    public var parameters: [Parameter]

    /// Whether a header value uses the `OAuth` scheme: its first word is `OAuth` in any case (RFC 5849 section 3.5.1).
    public static func isOAuth(_ value: String) -> Bool {
        let scheme = value.utf8.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        return String(decoding: scheme, as: UTF8.self).lowercased() == "oauth"
    }

    /// Parses a header value such as `OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03"` (RFC 5849 section 3.5.1):
    /// comma-separated `name="value"` pairs, each name and value percent-encoded, whitespace allowed around them.
    public init(parsing value: String) throws(AuthorizationHeaderError) {
        guard Self.isOAuth(value) else { throw .notOAuthScheme }
        var scanner = HeaderScanner(Array(value.utf8), start: "OAuth".utf8.count)
        var realm: String?
        var parameters = [Parameter]()
        scanner.skipWhitespace()
        while !scanner.isAtEnd {
            let (rawName, rawValue) = try scanner.readNameAndValue()
            let name: String
            let decodedValue: String
            do {
                name = try PercentEncoding.decode(bytes: rawName, plusIsSpace: false)
                decodedValue = try PercentEncoding.decode(bytes: rawValue, plusIsSpace: false)
            } catch {
                throw .badEncoding(parameter: String(decoding: rawName, as: UTF8.self), error)
            }
            if name == "realm" {
                guard realm == nil else { throw .malformed("realm appears more than once") }
                realm = decodedValue
            } else {
                parameters.append(Parameter(name, decodedValue))
            }
            scanner.skipWhitespace()
            if scanner.isAtEnd { break }
            guard scanner.consume(UInt8(ascii: ",")) else {
                throw .malformed("expected ',' between parameters at byte \(scanner.offset)")
            }
            scanner.skipWhitespace()
        }
        self.realm = realm
        self.parameters = parameters
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
