/// The protocol parameters of a signed request, checked for presence and form before any credential is looked up (RFC 5849 sections 3.1 to 3.3).
struct SignedRequest: Sendable {
    let parameters: RequestParameters
    let consumerKey: String
    let signatureMethod: SignatureMethod
    let signature: String
    let timestamp: Int64?
    let nonce: String?
    let token: String?

    /// The parameters that, when sent, must carry a value (RFC 5849 sections 3.1 and 3.3); PLAINTEXT may leave out
    /// timestamp and nonce, but not send them empty.
    static let valuedParameters = ["oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"]

    /// The value of a protocol parameter, such as `oauth_verifier`.
    subscript(name: String) -> String? { parameters[protocolParameter: name] }

    /// Collects and checks the protocol parameters; `required` names those this endpoint needs beyond the common ones.
    init(_ request: HTTPRequest, required: [String], configuration: ProviderConfiguration,
         registry: SignatureMethodRegistry, now: Int64) throws(OAuthError) {
        if !configuration.allowsInsecureTransport, request.url.scheme.lowercased() != "https" {
            throw OAuthError(.transportRejected,
                             "OAuth requests must use HTTPS. For local development only, set OAUTH1_INSECURE_TRANSPORT=true.")
        }
        let parameters = try RequestParameters(request)
        let consumerKey = parameters[protocolParameter: "oauth_consumer_key"]
        let methodName = parameters[protocolParameter: "oauth_signature_method"]
        let signature = parameters[protocolParameter: "oauth_signature"]
        let timestampText = parameters[protocolParameter: "oauth_timestamp"]
        let nonce = parameters[protocolParameter: "oauth_nonce"]
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
        // The values already in hand are checked first; the list of every empty one is made only for the refusal.
        let anyEmpty = [consumerKey, methodName, signature, timestampText, nonce].contains { $0?.isEmpty == true }
            || required.contains { parameters[protocolParameter: $0]?.isEmpty == true }
        if anyEmpty {
            throw EmptyProtocolParameter.refusal(EmptyProtocolParameter.names(among: Self.valuedParameters + required, in: parameters),
                                                 configuration: configuration)
        }

        if let version = parameters[protocolParameter: "oauth_version"], version != "1.0" {
            throw OAuthError(.versionRejected, "oauth_version is '\(version)'; only 1.0 is supported, or omit the parameter.",
                             details: [Parameter("oauth_acceptable_versions", "1.0-1.0")])
        }
        guard let methodName, let method, configuration.supportedSignatureMethods.contains(methodName) else {
            throw OAuthError(.signatureMethodRejected,
                             "The signature method '\(methodName ?? "")' is not accepted here; use one of: \(configuration.supportedSignatureMethods.joined(separator: ", ")).")
        }

        var timestamp: Int64?
        if let timestampText {
            timestamp = try TimestampAndNonceCheck.checkTimestamp(timestampText, now: now, window: configuration.timestampWindow)
        }
        if let nonce { try TimestampAndNonceCheck.checkNonce(nonce, maximumLength: configuration.maximumNonceLength) }
        if (timestamp == nil) != (nonce == nil) {
            throw OAuthError.absent([timestamp == nil ? "oauth_timestamp" : "oauth_nonce"])
        }

        self.parameters = parameters
        self.consumerKey = consumerKey ?? ""
        self.signatureMethod = method
        self.signature = signature ?? ""
        self.timestamp = timestamp
        self.nonce = nonce
        self.token = parameters[protocolParameter: "oauth_token"]
    }
}
