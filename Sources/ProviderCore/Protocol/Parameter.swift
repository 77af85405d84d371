/// One name/value pair of a request or response, decoded; parameters stay an ordered list because names may repeat (RFC 5849 section 3.4.1.3).
public struct Parameter: Sendable, Hashable {
    /// The decoded name.
    public var name: String
    /// The decoded value; an absent `=` gives an empty value.
    public var value: String

    /// Creates a parameter from a decoded name and value.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Whether the name carries the `oauth_` prefix that RFC 5849 section 3.1 reserves for protocol parameters.
    public var isProtocolParameter: Bool { name.utf8.starts(with: Self.protocolPrefix) }

    /// Whether the name is a protocol parameter's, and which of those the provider reads it is, from one look at its bytes.
    var protocolName: (isProtocolParameter: Bool, known: KnownProtocolParameter?) {
        var name = name
        return name.withUTF8 { bytes in
            guard bytes.starts(with: Self.protocolPrefix) else { return (false, nil) }
            return (true, KnownProtocolParameter(bytes))
        }
    }

    private static let protocolPrefix = Array("oauth_".utf8)
}

/// Where in the request a parameter was found (RFC 5849 section 3.5).
public enum ParameterLocation: String, Sendable, Hashable {
    /// The `Authorization: OAuth` header (section 3.5.1).
    case authorizationHeader = "the Authorization header"
    /// An `application/x-www-form-urlencoded` entity-body (section 3.5.2).
    case body = "the form-encoded body"
    /// The query component of the request URI (section 3.5.3).
    case query = "the query string"
}
