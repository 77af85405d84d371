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
    /// The `oauth_` parameters, each name once, in request order: a few, so looked up by scanning rather than hashing.
    let protocolParameters: [Parameter]
    /// The single value of each `oauth_` parameter.
    public var protocolValues: [String: String] {
        Dictionary(uniqueKeysWithValues: protocolParameters.map { ($0.name, $0.value) })
    }
    /// Where the protocol parameters were sent, when any were.
    public let protocolLocation: ParameterLocation?
    /// Where the protocol parameters the provider reads sit in `protocolParameters`.
    private let known: KnownProtocolParameterPositions
    /// The position in `entries` of the one `oauth_signature`, when sent: the base string leaves it out.
    let signatureEntry: Int?

    /// The parameters that enter the signature base string: all but `oauth_signature` (RFC 5849 section 3.4.1.3.1).
    public var signedParameters: [Parameter] {
        var signed = [Parameter]()
        signed.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() where index != signatureEntry { signed.append(entry.parameter) }
        return signed
    }

    /// The value of a protocol parameter the provider reads, found without comparing names.
    subscript(known parameter: KnownProtocolParameter) -> String? {
        known[parameter].map { protocolParameters[$0].value }
    }

    /// The value of a protocol parameter, such as `oauth_token`.
    public subscript(protocolParameter name: String) -> String? {
        for parameter in protocolParameters where parameter.name == name { return parameter.value }
        return nil
    }

    /// The first value of any parameter by name, such as `scope`.
    public func first(_ name: String) -> String? {
        entries.first { $0.parameter.name == name }?.parameter.value
    }

    /// The most parameters one request may carry: enough for any real form, and a bound on the sorting work a request can cause.
    public static let maximumCount = 1000

    /// Collects the parameters of a request (RFC 5849 sections 3.4.1.3.1 and 3.5): a protocol parameter present twice, or in more than one location, is refused with 400.
    public init(_ request: HTTPRequest) throws(OAuthError) {
        var entries = [Entry]()
        var realm: String?

        if let query = request.url.rawQuery, !query.isEmpty {
            do {
                entries.append(try FormURLEncoding.parse(query), from: .query)
            } catch {
                throw OAuthError(.parameterRejected, "The query string \(error.sentence); percent-encode it per RFC 5849 section 3.6.")
            }
        }

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
            entries.reserveCapacity(entries.count + 8)
            do {
                realm = try AuthorizationHeader.parse(headerValue) { name, value in
                    entries.append(Entry(parameter: Parameter(name, value), location: .authorizationHeader))
                }
            } catch {
                throw OAuthError(.parameterRejected, error.sentence)
            }
        }

        if request.hasFormBody, !request.body.isEmpty {
            guard let text = String(validating: request.body, as: UTF8.self) else {
                throw OAuthError(.parameterRejected, "The form-encoded body is not UTF-8 text; percent-encode every non-ASCII byte.")
            }
            do {
                entries.append(try FormURLEncoding.parse(text), from: .body)
            } catch {
                throw OAuthError(.parameterRejected, "The form-encoded body \(error.sentence); percent-encode it per RFC 5849 section 3.6.")
            }
        }

        if entries.count > Self.maximumCount {
            throw OAuthError(.parameterRejected, "The request has \(entries.count) parameters; at most \(Self.maximumCount) are accepted.")
        }

        var protocolParameters = [Parameter]()
        protocolParameters.reserveCapacity(min(entries.count, 16))
        var known = KnownProtocolParameterPositions()
        var signatureEntry: Int?
        // Names the provider reads are told apart by their position; for any other oauth_ name the list is scanned,
        // which is cheapest for a handful, and past 16 a set of every name so far keeps the check linear.
        var seen: Set<String>?
        var location: ParameterLocation?
        for (index, entry) in entries.enumerated() {
            let (isProtocolParameter, knownName) = entry.parameter.protocolName
            guard isProtocolParameter else { continue }
            let name = entry.parameter.name
            let repeated: Bool
            if let knownName {
                repeated = known[knownName] != nil
            } else {
                if seen == nil, protocolParameters.count >= 16 { seen = Set(protocolParameters.map(\.name)) }
                repeated = seen.map { $0.contains(name) } ?? protocolParameters.contains { $0.name == name }
            }
            if repeated {
                throw OAuthError.rejected(name, "The protocol parameter \(name) appears more than once; send each oauth_ parameter exactly once.")
            }
            if let location, location != entry.location {
                throw OAuthError.rejected(name, "Protocol parameters were sent in both \(location.rawValue) and \(entry.location.rawValue); RFC 5849 section 3.5 allows one location only.")
            }
            if let knownName {
                known[knownName] = protocolParameters.count
                if knownName == .signature { signatureEntry = index }
            }
            protocolParameters.append(entry.parameter)
            seen?.insert(name)
            location = entry.location
        }

        self.entries = entries
        self.realm = realm
        self.protocolParameters = protocolParameters
        self.protocolLocation = location
        self.known = known
        self.signatureEntry = signatureEntry
    }
}

extension [RequestParameters.Entry] {
    /// Appends the parameters of one location, growing the list once.
    fileprivate mutating func append(_ parameters: [Parameter], from location: ParameterLocation) {
        reserveCapacity(count + parameters.count)
        for parameter in parameters { append(RequestParameters.Entry(parameter: parameter, location: location)) }
    }
}
