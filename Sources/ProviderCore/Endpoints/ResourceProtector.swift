/// The seed's resource protector: verifies a request signed with a token credential, or with client credentials alone for two-legged clients (RFC 5849 section 3).
public struct ResourceProtector: Sendable {
    /// The settings in force.
    public var configuration: ProviderConfiguration { authenticator.configuration }
    let authenticator: RequestAuthenticator
    let tokenCredentials: any TokenCredentialStore
    let lookups: any LookupScope

    /// Builds a protector from its settings and stores; the configuration is validated against the registry first.
    /// `lookups` groups the token and client look-ups of a request (one read transaction of a database).
    public init(configuration: ProviderConfiguration = ProviderConfiguration(),
                clients: any ClientStore,
                tokenCredentials: any TokenCredentialStore,
                nonces: any NonceStore,
                signatureMethods: SignatureMethodRegistry = .builtIn,
                clock: any EpochClock = SystemEpochClock(),
                lookups: any LookupScope = SeparateLookups()) throws(ConfigurationError) {
        try configuration.validate(against: signatureMethods)
        authenticator = RequestAuthenticator(configuration: configuration, registry: signatureMethods,
                                             clients: clients, nonces: nonces, clock: clock)
        self.tokenCredentials = tokenCredentials
        self.lookups = lookups
    }

    /// Verifies the request and returns the credential it proves (the seed's `current_credential`); a missing required scope is 403.
    public func validateRequest(_ request: HTTPRequest, requiredScopes: [String] = []) throws -> VerifiedCredential {
        let signed = try authenticator.parse(request, required: [])
        let now = authenticator.clock.now()

        guard let token = signed.token, !token.isEmpty else {
            let client = try authenticator.authenticate(signed, request: request, expectsToken: false, tokenSecret: "",
                                                        tokenProblem: "")
            guard client.allowsTwoLegged else {
                // Section 2.1 calls a sent but empty oauth_token "the empty oauth_token": no token, which this client may not use.
                if signed.token != nil {
                    throw EmptyProtocolParameter.refusal("oauth_token", advice: "this client may not make two-legged requests, so sign with a token credential")
                }
                throw OAuthError.absent(["oauth_token"])
            }
            try authenticator.useNonce(signed)
            let credential = VerifiedCredential(client: client, token: nil, scopes: [])
            try require(requiredScopes, of: credential)
            return credential
        }

        // Token and client are read together (one snapshot); the nonce is written after the scope has ended.
        let (usable, client) = try lookups.lookUp { () throws -> (TokenCredential?, Client) in
            let stored = try tokenCredentials.tokenCredential(token: token)
            let usable = stored.flatMap { $0.clientIdentifier == signed.consumerKey ? $0 : nil }
            let client = try authenticator.authenticate(signed, request: request, expectsToken: true, tokenSecret: usable?.secret,
                                                        tokenProblem: "The oauth_token is not a token credential issued to this client.")
            return (usable, client)
        }
        guard let credential = usable else {
            throw OAuthError(.tokenRejected, "The oauth_token is not a token credential issued to this client.")
        }
        if credential.isRevoked {
            throw OAuthError(.tokenRevoked, "This token credential has been revoked; the user must authorize the client again.")
        }
        if let expiresAt = credential.expiresAt, expiresAt <= now {
            throw OAuthError(.tokenExpired, "This token credential has expired; the user must authorize the client again.")
        }
        try authenticator.useNonce(signed)

        let verified = VerifiedCredential(client: client, token: credential, scopes: credential.scopes)
        try require(requiredScopes, of: verified)
        if credential.lastUsedAt.map({ now - $0 >= authenticator.configuration.useRecordingInterval }) ?? true {
            try tokenCredentials.recordUse(token: token, at: now)
        }
        return verified
    }

    /// Verifies the request and turns a refusal into its error response, for handlers that return responses.
    public func validate(_ request: HTTPRequest, requiredScopes: [String] = []) -> Result<VerifiedCredential, ProtectedResourceRefusal> {
        do {
            return .success(try validateRequest(request, requiredScopes: requiredScopes))
        } catch let error as OAuthError {
            return .failure(ProtectedResourceRefusal(response: error.response(realm: configuration.realm), error: error))
        } catch {
            return .failure(ProtectedResourceRefusal(response: .storageUnavailable, error: nil))
        }
    }

    private func require(_ scopes: [String], of credential: VerifiedCredential) throws(OAuthError) {
        let missing = scopes.filter { !credential.scopes.contains($0) }
        if !missing.isEmpty {
            throw OAuthError(.permissionDenied, "This resource needs the scope \(missing.joined(separator: " ")), which the token was not granted.",
                             details: [Parameter("oauth_required_scope", missing.joined(separator: " "))])
        }
    }
}

/// A verified request's credentials: the client, and for three-legged requests the token and its user (the seed's `current_credential`).
public struct VerifiedCredential: Sendable {
    /// The client that signed the request.
    public let client: Client
    /// The token credential used, or nil for a two-legged request.
    public let token: TokenCredential?
    /// The scopes the token carries.
    public let scopes: [String]

    /// The user the client acts for, or nil for a two-legged request.
    public var userID: String? { token?.userID }
}

/// A refused request to a protected resource: the response to send and, unless storage failed, the OAuth error.
public struct ProtectedResourceRefusal: Error, Sendable {
    /// The response to send.
    public let response: HTTPResponse
    /// The OAuth error, or nil when a store failed.
    public let error: OAuthError?
}
