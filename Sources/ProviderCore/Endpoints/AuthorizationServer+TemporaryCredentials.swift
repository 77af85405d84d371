// The temporary credential endpoint: RFC 5849 section 2.1.
extension AuthorizationServer {
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
        let callback = signed["oauth_callback"] ?? ""
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

    /// The scopes named by `scope` parameters (space- or comma-separated), each once; a scope the provider does not offer is refused.
    func scopes(requestedIn parameters: RequestParameters) throws(OAuthError) -> [String] {
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
}
