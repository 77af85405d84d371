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
    public var entries: [Entry] {
        parameters.indices.map { Entry(parameter: parameters[$0], location: location(at: $0)) }
    }
    /// The parameters of `entries`, kept as a list of their own: the base string is built from it without a copy.
    let parameters: [Parameter]
    /// Where the header's parameters and the body's start in `parameters`: the query's come first, then the header's, then
    /// the body's, so two positions say where each came from.
    private let headerStart: Int
    private let bodyStart: Int
    /// The `realm` of the `Authorization: OAuth` header, when present.
    public let realm: String?
    /// The single value of each `oauth_` parameter.
    public var protocolValues: [String: String] {
        Dictionary(uniqueKeysWithValues: parameters.filter(\.isProtocolParameter).map { ($0.name, $0.value) })
    }
    /// Where the protocol parameters were sent, when any were.
    public let protocolLocation: ParameterLocation?
    /// Where the protocol parameters the provider reads sit in `parameters`.
    private let known: KnownProtocolParameterPositions
    /// The position in `parameters` of the one `oauth_signature`, when sent: the base string leaves it out.
    var signatureEntry: Int? { known[.signature] }

    /// The parameters that enter the signature base string: all but `oauth_signature` (RFC 5849 section 3.4.1.3.1).
    public var signedParameters: [Parameter] {
        var signed = parameters
        if let signatureEntry { signed.remove(at: signatureEntry) }
        return signed
    }

    /// The value of a protocol parameter, such as `oauth_token`: each is sent once at most, so the first is the one.
    public subscript(protocolParameter name: String) -> String? {
        for parameter in parameters where parameter.name == name && parameter.isProtocolParameter { return parameter.value }
        return nil
    }

    /// The first value of any parameter by name, such as `scope`.
    public func first(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// Where the parameter at `index` came from.
    private func location(at index: Int) -> ParameterLocation {
        Self.location(at: index, headerStart: headerStart, bodyStart: bodyStart)
    }

    private static func location(at index: Int, headerStart: Int, bodyStart: Int) -> ParameterLocation {
        index < headerStart ? .query : index < bodyStart ? .authorizationHeader : .body
    }

    /// The most parameters one request may carry: enough for any real form, and a bound on the sorting work a request can cause.
    public static let maximumCount = 1000

    /// Collects the parameters of a request (RFC 5849 sections 3.4.1.3.1 and 3.5): a protocol parameter present twice, or in more than one location, is refused with 400.
    public init(_ request: HTTPRequest) throws(OAuthError) {
        var parameters = [Parameter]()
        var realm: String?

        if let query = request.url.rawQuery, !query.isEmpty {
            do {
                parameters = try FormURLEncoding.parse(query)
            } catch {
                throw OAuthError(.parameterRejected, "The query string \(error.sentence); percent-encode it per RFC 5849 section 3.6.")
            }
        }

        let headerStart = parameters.count
        var oauthHeader: String?
        var oauthHeaders = 0
        request.headers.forEachValue(for: "Authorization") { value in
            guard AuthorizationHeader.isOAuth(value) else { return }
            oauthHeaders += 1
            if oauthHeader == nil { oauthHeader = value }
        }
        if oauthHeaders > 1 {
            throw OAuthError(.parameterRejected, "The request has more than one Authorization: OAuth header; send exactly one.")
        }
        if let headerValue = oauthHeader {
            // Appended straight to the list, without an AuthorizationHeader value in between.
            parameters.reserveCapacity(parameters.count + 8)
            do {
                realm = try AuthorizationHeader.parse(headerValue) { name, value in parameters.append(Parameter(name, value)) }
            } catch {
                throw OAuthError(.parameterRejected, error.sentence)
            }
        }

        let bodyStart = parameters.count
        if request.hasFormBody, !request.body.isEmpty {
            guard let text = String(validating: request.body, as: UTF8.self) else {
                throw OAuthError(.parameterRejected, "The form-encoded body is not UTF-8 text; percent-encode every non-ASCII byte.")
            }
            do {
                parameters.append(contentsOf: try FormURLEncoding.parse(text))
            } catch {
                throw OAuthError(.parameterRejected, "The form-encoded body \(error.sentence); percent-encode it per RFC 5849 section 3.6.")
            }
        }

        if parameters.count > Self.maximumCount {
            throw OAuthError(.parameterRejected, "The request has \(parameters.count) parameters; at most \(Self.maximumCount) are accepted.")
        }

        var known = KnownProtocolParameterPositions()
        // Names the provider reads are told apart by their position; any other oauth_ name is compared with the earlier
        // ones, which is cheapest for a handful, and past 16 a set of every name so far keeps the check linear.
        var protocolCount = 0
        var seen: Set<String>?
        var location: ParameterLocation?
        for (index, parameter) in parameters.enumerated() {
            let (isProtocolParameter, knownName) = parameter.protocolName
            guard isProtocolParameter else { continue }
            let name = parameter.name
            let repeated: Bool
            if let knownName {
                repeated = known[knownName] != nil
            } else {
                if seen == nil, protocolCount >= 16 {
                    seen = Set(parameters[..<index].lazy.filter(\.isProtocolParameter).map(\.name))
                }
                repeated = seen.map { $0.contains(name) }
                    ?? parameters[..<index].contains { $0.name == name && $0.isProtocolParameter }
            }
            if repeated {
                throw OAuthError.rejected(name, "The protocol parameter \(name) appears more than once; send each oauth_ parameter exactly once.")
            }
            let entryLocation = Self.location(at: index, headerStart: headerStart, bodyStart: bodyStart)
            if let location, location != entryLocation {
                throw OAuthError.rejected(name, "Protocol parameters were sent in both \(location.rawValue) and \(entryLocation.rawValue); RFC 5849 section 3.5 allows one location only.")
            }
            if let knownName { known[knownName] = index }
            protocolCount += 1
            seen?.insert(name)
            location = entryLocation
        }

        self.parameters = parameters
        self.headerStart = headerStart
        self.bodyStart = bodyStart
        self.realm = realm
        self.protocolLocation = location
        self.known = known
    }
}
