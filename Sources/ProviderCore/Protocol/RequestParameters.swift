/// Every parameter of a request, gathered from the three places RFC 5849 sections 3.4.1.3.1 and 3.5 name, in order, with duplicated protocol parameters refused.
public struct RequestParameters: Sendable {
    /// A parameter and where it came from.
    public struct Entry: Sendable, Hashable {
        /// The decoded name and value.
        public var parameter: Parameter
        /// The part of the request that carried it.
        public var location: ParameterLocation
    }

    /// Every parameter (query, then Authorization header, then form body), `realm` of the header excluded.
    public let entries: [Entry]
    /// The `realm` of the `Authorization: OAuth` header, when present.
    public let realm: String?
    /// The single value of each `oauth_` parameter.
    public let protocolValues: [String: String]
    /// Where the protocol parameters were sent, when any were.
    public let protocolLocation: ParameterLocation?

    /// The parameters that enter the signature base string: all but `oauth_signature` (RFC 5849 section 3.4.1.3.1).
    public var signedParameters: [Parameter] {
        entries.map(\.parameter).filter { $0.name != "oauth_signature" }
    }

    /// The value of a protocol parameter, such as `oauth_token`: each is sent once at most.
    public subscript(protocolParameter name: String) -> String? { protocolValues[name] }

    /// The first value of any parameter by name, such as `scope`.
    public func first(_ name: String) -> String? {
        entries.first { $0.parameter.name == name }?.parameter.value
    }

    /// The most parameters one request may carry: enough for any real form, and a bound on the sorting work a request can cause.
    public static let maximumCount = 1000

    /// Collects the parameters of a request (RFC 5849 sections 3.4.1.3.1 and 3.5): a protocol parameter present twice, or in more than one location, is refused with 400.
    public init(_ request: HTTPRequest) throws(OAuthError) {
        var entries = [Entry]()
        for parameter in try Self.queryParameters(request) { entries.append(Entry(parameter: parameter, location: .query)) }
        let header = try Self.authorizationHeader(request)
        for parameter in header?.parameters ?? [] { entries.append(Entry(parameter: parameter, location: .authorizationHeader)) }
        for parameter in try Self.bodyParameters(request) { entries.append(Entry(parameter: parameter, location: .body)) }

        if entries.count > Self.maximumCount {
            throw OAuthError(.parameterRejected, "The request has \(entries.count) parameters; at most \(Self.maximumCount) are accepted.")
        }

        var protocolValues = [String: String]()
        var protocolLocation: ParameterLocation?
        for entry in entries where entry.parameter.isProtocolParameter {
            let name = entry.parameter.name
            if protocolValues[name] != nil {
                throw OAuthError.rejected(name, "The protocol parameter \(name) appears more than once; send each oauth_ parameter exactly once.")
            }
            if let protocolLocation, protocolLocation != entry.location {
                throw OAuthError.rejected(name, "Protocol parameters were sent in both \(protocolLocation.rawValue) and \(entry.location.rawValue); RFC 5849 section 3.5 allows one location only.")
            }
            protocolValues[name] = entry.parameter.value
            protocolLocation = entry.location
        }

        self.entries = entries
        self.realm = header?.realm
        self.protocolValues = protocolValues
        self.protocolLocation = protocolLocation
    }

    /// The parameters of the query component (RFC 5849 section 3.5.3).
    private static func queryParameters(_ request: HTTPRequest) throws(OAuthError) -> [Parameter] {
        guard let query = request.url.rawQuery, !query.isEmpty else { return [] }
        do {
            return try FormURLEncoding.parse(query)
        } catch {
            throw OAuthError(.parameterRejected, "The query string \(error.sentence); percent-encode it per RFC 5849 section 3.6.")
        }
    }

    /// The one `Authorization: OAuth` header, parsed (RFC 5849 section 3.5.1); headers of other schemes are not OAuth's.
    private static func authorizationHeader(_ request: HTTPRequest) throws(OAuthError) -> AuthorizationHeader? {
        let values = request.headers.values(for: "Authorization").filter(AuthorizationHeader.isOAuth)
        if values.count > 1 {
            throw OAuthError(.parameterRejected, "The request has more than one Authorization: OAuth header; send exactly one.")
        }
        guard let value = values.first else { return nil }
        do {
            return try AuthorizationHeader(parsing: value)
        } catch {
            throw OAuthError(.parameterRejected, error.sentence)
        }
    }

    /// The parameters of an `application/x-www-form-urlencoded` entity-body (RFC 5849 section 3.5.2).
    private static func bodyParameters(_ request: HTTPRequest) throws(OAuthError) -> [Parameter] {
        guard request.hasFormBody, !request.body.isEmpty else { return [] }
        guard let text = String(validating: request.body, as: UTF8.self) else {
            throw OAuthError(.parameterRejected, "The form-encoded body is not UTF-8 text; percent-encode every non-ASCII byte.")
        }
        do {
            return try FormURLEncoding.parse(text)
        } catch {
            throw OAuthError(.parameterRejected, "The form-encoded body \(error.sentence); percent-encode it per RFC 5849 section 3.6.")
        }
    }
}
