/// The checks every signed request shares: client and token look-up, signature, nonce (RFC 5849 sections 3.2 to 3.4), with an unknown client or token costing the same work as a known one.
struct RequestAuthenticator: Sendable {
    let configuration: ProviderConfiguration
    let registry: SignatureMethodRegistry
    let clients: any ClientStore
    let nonces: any NonceStore
    let clock: any EpochClock

    init(configuration: ProviderConfiguration, registry: SignatureMethodRegistry, clients: any ClientStore,
         nonces: any NonceStore, clock: any EpochClock) {
        self.configuration = configuration
        self.registry = registry
        self.clients = clients
        self.nonces = nonces
        self.clock = clock
    }

    /// A secret of the usual length, used in place of a missing client's or token's so the signature check still runs.
    private static let placeholderSecret = String(repeating: "x", count: 48)

    /// A fixed public key that verifies nothing, used in place of a missing client's key so RSA requests cost the same.
    private static let placeholderKey: RSAPublicKey? = try? RSAPublicKey(pem: """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnEHfbxehhdHqpn+STGSh
        h7/s4OouLemIXpKjch6fiprGWaP3/cTmT5UO2PCREnJHKl+Tab6t8W0w+tFEtPOF
        g8Wh14YYyy9Pq+BRPDDR2heNF9KSzN/xMyhCm9g/SZfaDuvaRHyX5RQYmq2eBnu0
        AKsuxRHhdHfoilxyYhQal0yP6PKPCv9zdG1pMfpOzaEw5MwZ560HOXg5dOvbVw7n
        sb3es3UULPHYO/iSjrq121HdytCqtDS/29oifOqM9ubf3/8TAPm75hrbil3RY/Kh
        K/KwLq22sNxpXxgBiPVvNi1mcTUMkKR0/oB1w8GAO0ByStewRAqCh6+SDZ1HM8H9
        mQIDAQAB
        -----END PUBLIC KEY-----
        """)

    /// Parses and checks the protocol parameters of a request.
    func parse(_ request: HTTPRequest, required: [String]) throws(OAuthError) -> SignedRequest {
        try SignedRequest(request, required: required, configuration: configuration, registry: registry, now: clock.now())
    }

    /// Looks up the client, checks the signature with the client's and (when given) the token's secret, and reports the first failure in the order unknown client, disabled client, unknown token, signature.
    /// - Parameter tokenSecret: the token's secret; nil when the token was expected but not found, which is reported as `tokenRejected` after the same work.
    func authenticate(_ signed: SignedRequest, request: HTTPRequest, expectsToken: Bool, tokenSecret: String?,
                      tokenProblem: String) throws -> Client {
        let client = try clients.client(identifier: signed.consumerKey)
        let method = signed.signatureMethod
        let baseString = SignatureBaseString.make(request: request, parameters: signed.parameters)
        let clientSecret = client?.secret ?? Self.placeholderSecret
        let signingTokenSecret = expectsToken ? tokenSecret ?? Self.placeholderSecret : ""
        let input = SignatureInput(baseString: baseString,
                                   signature: signed.signature,
                                   clientSecret: clientSecret,
                                   tokenSecret: signingTokenSecret,
                                   rsaPublicKey: method.usesRSAPublicKey ? client?.rsaPublicKey ?? Self.placeholderKey : nil)
        let valid = method.verify(input)

        guard let client else {
            throw OAuthError(.consumerKeyUnknown, "No client is registered with the oauth_consumer_key '\(signed.consumerKey)'.")
        }
        if client.isDisabled {
            throw OAuthError(.consumerKeyRejected, "The client '\(client.identifier)' has been disabled by the provider.")
        }
        if expectsToken, tokenSecret == nil {
            throw OAuthError(.tokenRejected, tokenProblem)
        }
        if method.usesRSAPublicKey, client.rsaPublicKey == nil {
            throw OAuthError(.signatureMethodRejected,
                             "The client has no RSA public key registered, so \(method.name) cannot be verified; register a key or use \(configuration.supportedSignatureMethods.first ?? "HMAC-SHA1").")
        }
        if !valid {
            throw OAuthError(.signatureInvalid,
                             "The oauth_signature does not match; check the signature base string (RFC 5849 section 3.4.1) and the secrets used to sign.")
        }
        try BodyHash.check(signed, request: request, required: client.requiresBodyHash)
        return client
    }
}
