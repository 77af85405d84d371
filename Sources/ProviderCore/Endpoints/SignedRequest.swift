/// The protocol parameters of a signed request, checked for presence and form before any credential is looked up (RFC 5849 sections 3.1 to 3.3).
struct SignedRequest: Sendable {
    let parameters: RequestParameters
    let consumerKey: String
    let signatureMethod: SignatureMethod
    let signature: String
    let timestamp: Int64?
    let nonce: String?
    let token: String?

    subscript(name: String) -> String? { parameters[protocolParameter: name] }

    /// The value of a protocol parameter the provider reads.
    subscript(known parameter: KnownProtocolParameter) -> String? { parameters[known: parameter] }

    /// Collects and checks the protocol parameters; `required` names those this endpoint needs beyond the common ones.
    /// The arguments are borrowed: an initializer otherwise takes its own copy of each (a request, the configuration).
    init(_ request: borrowing HTTPRequest, required: [String], configuration: borrowing ProviderConfiguration,
         registry: borrowing SignatureMethodRegistry, now: Int64) throws(OAuthError) {
        if !configuration.allowsInsecureTransport, !request.url.scheme.isASCIICaseInsensitiveEqual(to: "https") {
            throw OAuthError(.transportRejected,
                             "OAuth requests must use HTTPS. For local development only, set OAUTH1_INSECURE_TRANSPORT=true.")
        }
        let parameters = try RequestParameters(request)
        // Each protocol value is looked up once.
        let consumerKey = parameters[known: .consumerKey]
        let methodName = parameters[known: .signatureMethod]
        let signature = parameters[known: .signature]
        let timestampText = parameters[known: .timestamp]
        let nonce = parameters[known: .nonce]
        let method = methodName.flatMap { registry[$0] }
        let timestampOptional = method?.allowsMissingTimestampAndNonce ?? false

        var absent = [String]()
        if consumerKey == nil { absent.append("oauth_consumer_key") }
        if methodName == nil { absent.append("oauth_signature_method") }
        if signature == nil { absent.append("oauth_signature") }
        for name in required where parameters[protocolParameter: name] == nil { absent.append(name) }
        if !timestampOptional {
            if timestampText == nil { absent.append("oauth_timestamp") }
            if nonce == nil { absent.append("oauth_nonce") }
        }
        if !absent.isEmpty { throw OAuthError.absent(absent) }

        if let version = parameters[known: .version], version != "1.0" {
            throw OAuthError(.versionRejected, "oauth_version is '\(version)'; only 1.0 is supported, or omit the parameter.",
                             details: [Parameter("oauth_acceptable_versions", "1.0-1.0")])
        }
        guard let methodName, let method, configuration.supportedSignatureMethods.contains(methodName) else {
            throw OAuthError(.signatureMethodRejected,
                             "The signature method '\(methodName ?? "")' is not accepted here; use one of: \(configuration.supportedSignatureMethods.joined(separator: ", ")).")
        }
        if consumerKey?.isEmpty ?? true { throw OAuthError.rejected("oauth_consumer_key", "oauth_consumer_key is empty.") }
        if signature?.isEmpty ?? true { throw OAuthError.rejected("oauth_signature", "oauth_signature is empty.") }

        var timestamp: Int64?
        if let text = timestampText {
            guard let value = Self.positiveSeconds(text) else {
                throw OAuthError.rejected("oauth_timestamp",
                                          "oauth_timestamp must be a positive whole number of seconds since 1970-01-01T00:00:00Z, at most 18 digits.")
            }
            let window = configuration.timestampWindow
            if value < now - window || value > now + window {
                throw OAuthError(.timestampRefused,
                                 "oauth_timestamp \(value) is more than \(window) seconds away from the server's time \(now); check the client's clock.",
                                 details: [Parameter("oauth_acceptable_timestamps", "\(now - window)-\(now + window)")])
            }
            timestamp = value
        }
        if let nonce {
            if nonce.isEmpty {
                throw OAuthError.rejected("oauth_nonce", "oauth_nonce is empty; send a random string unique to this request.")
            }
            if nonce.utf8.count > configuration.maximumNonceLength {
                throw OAuthError.rejected("oauth_nonce",
                                          "oauth_nonce is longer than \(configuration.maximumNonceLength) bytes; send a shorter random string.")
            }
        }
        if (timestamp == nil) != (nonce == nil) {
            throw OAuthError.absent([timestamp == nil ? "oauth_timestamp" : "oauth_nonce"])
        }

        self.parameters = parameters
        self.consumerKey = consumerKey ?? ""
        self.signatureMethod = method
        self.signature = signature ?? ""
        self.timestamp = timestamp
        self.nonce = nonce
        self.token = parameters[known: .token]
    }

    /// A timestamp of 1 to 18 ASCII digits (so it fits an Int64) that is above zero, read from its bytes; nil for any other.
    static func positiveSeconds(_ text: String) -> Int64? {
        let parsed = text.utf8.withContiguousStorageIfAvailable { digits -> Int64? in
            guard !digits.isEmpty, digits.count <= 18 else { return nil }
            var value: Int64 = 0
            for digit in digits {
                guard digit >= 0x30, digit <= 0x39 else { return nil }
                value = value * 10 + Int64(digit - 0x30)
            }
            return value > 0 ? value : nil
        }
        if let parsed { return parsed }
        // Text without contiguous UTF-8 (a bridged string): the same rule through the view.
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let value = Int64(text), value > 0 else { return nil }
        return value
    }
}
