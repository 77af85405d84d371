// The resource owner authorization endpoint: RFC 5849 section 2.2.
extension AuthorizationServer {
    /// Reads `oauth_token` from the query of a GET, or the form body of a POST, to the authorization endpoint.
    public func authorizationToken(in request: HTTPRequest) throws(OAuthError) -> String {
        let parameters = try RequestParameters(request)
        guard let token = parameters.first("oauth_token") else { throw OAuthError.absent(["oauth_token"]) }
        if token.isEmpty {
            throw EmptyProtocolParameter.refusal("oauth_token", advice: "send the oauth_token of the temporary credential the client was issued")
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

    /// The temporary credential of `token` and its client, when it can still be authorized.
    func pendingCredential(token: String) throws -> (TemporaryCredential, Client) {
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
