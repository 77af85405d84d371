/// The seed's authorization server: the temporary credential, resource owner authorization and token endpoints of RFC 5849 section 2.
public struct AuthorizationServer: Sendable {
    /// The settings in force.
    public let configuration: ProviderConfiguration
    let authenticator: RequestAuthenticator
    let temporaryCredentials: any TemporaryCredentialStore
    let tokenCredentials: any TokenCredentialStore
    let generator: CredentialGenerator
    let tokenGenerator: TokenGenerator?

    /// Builds a server from its settings and stores; the configuration is validated against the registry first.
    /// - Parameter tokenGenerator: makes `oauth_token` and `oauth_token_secret` pairs instead of the configured lengths (the seed's `token_generator`).
    public init(configuration: ProviderConfiguration = ProviderConfiguration(),
                clients: any ClientStore,
                temporaryCredentials: any TemporaryCredentialStore,
                tokenCredentials: any TokenCredentialStore,
                nonces: any NonceStore,
                signatureMethods: SignatureMethodRegistry = .builtIn,
                clock: any EpochClock = SystemEpochClock(),
                random: any RandomSource = SystemRandomSource(),
                tokenGenerator: TokenGenerator? = nil) throws(ConfigurationError) {
        try configuration.validate(against: signatureMethods)
        self.configuration = configuration
        self.authenticator = RequestAuthenticator(configuration: configuration, registry: signatureMethods,
                                                  clients: clients, nonces: nonces, clock: clock)
        self.temporaryCredentials = temporaryCredentials
        self.tokenCredentials = tokenCredentials
        self.generator = CredentialGenerator(random: random)
        self.tokenGenerator = tokenGenerator
    }

    // MARK: Temporary credentials (RFC 5849 section 2.1)

    /// Answers a temporary credential request: the form-encoded credential, or the error response.
    public func createTemporaryCredentialResponse(_ request: HTTPRequest) -> HTTPResponse {
        respond {
            let credential = try issueTemporaryCredential(request)
            return .formEncoded([Parameter("oauth_token", credential.token),
                                 Parameter("oauth_token_secret", credential.secret),
                                 Parameter("oauth_callback_confirmed", "true")])
        }
    }

    /// Verifies a temporary credential request signed with client credentials only, and issues and stores a temporary credential (RFC 5849 section 2.1).
    public func issueTemporaryCredential(_ request: HTTPRequest) throws -> TemporaryCredential {
        let signed = try authenticator.parse(request, required: ["oauth_callback"])
        if let token = signed.token, !token.isEmpty {
            throw OAuthError.rejected("oauth_token", "A temporary credential request is signed with client credentials only; remove oauth_token.")
        }
        let callback = signed[known: .callback] ?? ""
        try Callback.validate(callback)
        let requestedScopes = try scopes(requestedIn: signed.parameters)
        let tokenLifetime = try TokenLifetime.parse(signed.parameters.first("expiration"))

        let client = try authenticator.authenticate(signed, request: request, expectsToken: false, tokenSecret: "",
                                                    tokenProblem: "")
        guard Callback.isAllowed(callback, registered: client.callbackURIs) else {
            throw OAuthError.rejected("oauth_callback",
                                      "oauth_callback does not match any callback registered for this client (same scheme, host, port and path).")
        }
        try authenticator.useNonce(signed)

        let pair = newTokenPair()
        let credential = TemporaryCredential(token: pair.token, secret: pair.secret, clientIdentifier: client.identifier,
                                             callback: callback, requestedScopes: requestedScopes, tokenLifetime: tokenLifetime,
                                             expiresAt: authenticator.clock.now() + configuration.temporaryCredentialLifetime)
        try temporaryCredentials.save(credential)
        return credential
    }

    // MARK: Resource owner authorization (RFC 5849 section 2.2)

    /// Reads `oauth_token` from the query of a GET, or the form body of a POST, to the authorization endpoint.
    public func authorizationToken(in request: HTTPRequest) throws(OAuthError) -> String {
        let parameters = try RequestParameters(request)
        guard let token = parameters.first("oauth_token"), !token.isEmpty else {
            throw OAuthError.absent(["oauth_token"])
        }
        return token
    }

    /// Checks that a temporary credential can be authorized and returns what a consent page shows (the seed's `check_authorization_request`).
    public func checkAuthorizationRequest(token: String) throws -> AuthorizationRequest {
        let (credential, client) = try pendingCredential(token: token)
        let offered = configuration.scopes
        let scopes = credential.requestedScopes.map { name in
            offered.first { $0.name == name } ?? ScopeDefinition(name: name, description: name)
        }
        return AuthorizationRequest(token: credential.token, clientIdentifier: client.identifier, clientName: client.name,
                                    callback: credential.callback, scopes: scopes, expiresAt: credential.expiresAt,
                                    tokenLifetime: credential.tokenLifetime)
    }

    /// Records the user's decision (the seed's `create_authorization_response`): nil `userID` denies and removes the credential; a user grants, binding a new verifier to that user.
    /// - Parameter grantedScopes: the scopes the user left ticked; nil grants every requested scope, and a scope that was not requested is refused.
    public func authorize(token: String, userID: String?, grantedScopes: [String]? = nil) throws -> AuthorizationDecision {
        let (credential, _) = try pendingCredential(token: token)
        guard let userID else {
            _ = try temporaryCredentials.consume(token: token)
            if credential.isOutOfBand { return .denied(redirect: nil) }
            return .denied(redirect: Callback.redirectURL(credential.callback, adding: [Parameter("denied", token)]))
        }
        let granted = grantedScopes ?? credential.requestedScopes
        for scope in granted where !credential.requestedScopes.contains(scope) {
            throw OAuthError.rejected("scope", "The scope '\(scope)' was not requested by the client, so it cannot be granted.")
        }
        let verifier = generator.string(length: configuration.verifierLength)
        guard try temporaryCredentials.authorize(token: token, userID: userID, verifier: verifier, grantedScopes: granted) else {
            throw OAuthError(.tokenRejected, "This temporary credential was already authorized; the client must start again.")
        }
        if credential.isOutOfBand { return .outOfBand(verifier: verifier) }
        return .redirect(Callback.redirectURL(credential.callback,
                                              adding: [Parameter("oauth_token", token), Parameter("oauth_verifier", verifier)]))
    }

    private func pendingCredential(token: String) throws -> (TemporaryCredential, Client) {
        guard let credential = try temporaryCredentials.temporaryCredential(token: token) else {
            throw OAuthError(.tokenRejected, "The oauth_token is not a pending temporary credential; the client must request a new one.")
        }
        guard credential.expiresAt > authenticator.clock.now() else {
            throw OAuthError(.tokenRejected, "The temporary credential has expired; the client must request a new one.")
        }
        guard !credential.isAuthorized else {
            throw OAuthError(.tokenRejected, "This temporary credential was already authorized; the client must start again.")
        }
        guard let client = try authenticator.clients.client(identifier: credential.clientIdentifier), !client.isDisabled else {
            throw OAuthError(.consumerKeyRejected, "The client that asked for this authorization is no longer registered or has been disabled.")
        }
        return (credential, client)
    }

    // MARK: Token credentials (RFC 5849 section 2.3)

    /// Answers a token request: the form-encoded token credential, or the error response.
    public func createTokenResponse(_ request: HTTPRequest) -> HTTPResponse {
        respond {
            let credential = try issueTokenCredential(request)
            return .formEncoded([Parameter("oauth_token", credential.token),
                                 Parameter("oauth_token_secret", credential.secret)])
        }
    }

    /// Verifies a token request signed with client and temporary credentials, checks the verifier, and exchanges the temporary credential, once, for a token credential bound to the approving user (RFC 5849 section 2.3).
    public func issueTokenCredential(_ request: HTTPRequest) throws -> TokenCredential {
        let signed = try authenticator.parse(request, required: ["oauth_token", "oauth_verifier"])
        let token = signed.token ?? ""
        let now = authenticator.clock.now()
        let stored = try temporaryCredentials.temporaryCredential(token: token)
        let usable = stored.flatMap { $0.clientIdentifier == signed.consumerKey ? $0 : nil }
        _ = try authenticator.authenticate(signed, request: request, expectsToken: true, tokenSecret: usable?.secret,
                                           tokenProblem: "The oauth_token is not a temporary credential issued to this client; request a new one.")
        guard let pending = usable, pending.expiresAt > now else {
            throw OAuthError(.tokenRejected, "The temporary credential has expired; the client must request a new one.")
        }
        guard pending.isAuthorized else {
            throw OAuthError(.tokenRejected, "The user has not authorized this temporary credential yet; send the user to the authorization endpoint first.")
        }
        try authenticator.useNonce(signed)

        guard let consumed = try temporaryCredentials.consume(token: token),
              consumed.clientIdentifier == signed.consumerKey,
              let userID = consumed.userID, let expected = consumed.verifier else {
            throw OAuthError(.tokenRejected, "This temporary credential was already exchanged; request a new one.")
        }
        guard ConstantTime.equals(expected, signed[known: .verifier] ?? "") else {
            throw OAuthError(.verifierInvalid, "The oauth_verifier does not match the one given to the user; the temporary credential is now void, start again.")
        }
        let pair = newTokenPair()
        let credential = TokenCredential(token: pair.token, secret: pair.secret, clientIdentifier: consumed.clientIdentifier,
                                         userID: userID, scopes: consumed.grantedScopes, createdAt: now,
                                         expiresAt: consumed.tokenLifetime.map { now + $0 })
        try tokenCredentials.save(credential)
        return credential
    }

    // MARK: Helpers

    private func newTokenPair() -> (token: String, secret: String) {
        if let tokenGenerator { return tokenGenerator() }
        return (generator.string(length: configuration.tokenLength), generator.string(length: configuration.tokenSecretLength))
    }

    private func scopes(requestedIn parameters: RequestParameters) throws(OAuthError) -> [String] {
        var requested = [String]()
        for entry in parameters.entries where entry.parameter.name == "scope" {
            for word in entry.parameter.value.split(whereSeparator: { $0 == " " || $0 == "," }) where !requested.contains(String(word)) {
                requested.append(String(word))
            }
        }
        let offered = Set(configuration.scopes.map(\.name))
        let unknown = requested.filter { !offered.contains($0) }
        if !unknown.isEmpty {
            let list = offered.isEmpty ? "this provider offers no scopes" : "offered: \(offered.sorted().joined(separator: ", "))"
            throw OAuthError.rejected("scope", "Unknown scope \(unknown.map { "'\($0)'" }.joined(separator: ", ")); \(list).")
        }
        return requested
    }

    private func respond(_ body: () throws -> HTTPResponse) -> HTTPResponse {
        do {
            return try body()
        } catch let error as OAuthError {
            return error.response(realm: configuration.realm)
        } catch {
            return .storageUnavailable
        }
    }
}

/// What the consent page shows about a pending authorization (RFC 5849 section 2.2).
public struct AuthorizationRequest: Sendable, Equatable {
    /// The temporary credential's `oauth_token`.
    public let token: String
    /// The requesting client's identifier.
    public let clientIdentifier: String
    /// The requesting client's name.
    public let clientName: String
    /// Where the user's browser goes afterwards, or `oob`.
    public let callback: String
    /// The scopes asked for, with their descriptions.
    public let scopes: [ScopeDefinition]
    /// When the temporary credential expires.
    public let expiresAt: Int64
    /// How long the token credential will live, when the client asked for a limit.
    public let tokenLifetime: Int64?

    /// The host of the callback, for showing the user where they will be sent; nil for `oob`.
    public var callbackHost: String? { RequestURL(callback)?.host }
}

/// The outcome of the user's decision at the authorization endpoint (RFC 5849 section 2.2).
public enum AuthorizationDecision: Sendable, Equatable {
    /// Approved: send the browser to this URL (the callback with `oauth_token` and `oauth_verifier`).
    case redirect(String)
    /// Approved with an `oob` callback: show this verifier to the user.
    case outOfBand(verifier: String)
    /// Denied: the credential is gone; send the browser to this URL (the callback with `denied`) or, for `oob`, show a page.
    case denied(redirect: String?)

    /// A response for the decision when it is a redirect; nil when a page must be shown instead.
    public var redirectResponse: HTTPResponse? {
        switch self {
        case .redirect(let url), .denied(redirect: .some(let url)):
            return HTTPResponse(status: 302, headers: [("Location", url), ("Cache-Control", "no-store")])
        case .outOfBand, .denied(redirect: .none):
            return nil
        }
    }
}

extension HTTPResponse {
    /// The response when a store fails: 503, with a sentence that says to retry and nothing about the cause.
    public static let storageUnavailable = HTTPResponse(
        status: 503,
        headers: [("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", "1"), ("Cache-Control", "no-store")],
        body: Array("The provider's storage is temporarily unavailable; retry the request shortly.\n".utf8))
}
