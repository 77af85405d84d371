// The token endpoint: RFC 5849 section 2.3.
extension AuthorizationServer {
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

        guard let userID = pending.userID, let expected = pending.verifier,
              ConstantTime.equals(expected, signed["oauth_verifier"] ?? "") else {
            // A wrong verifier voids the temporary credential: it cannot be guessed at again.
            _ = try temporaryCredentials.consume(token: token)
            throw OAuthError(.verifierInvalid, "The oauth_verifier does not match the one given to the user; the temporary credential is now void, start again.")
        }
        // The token credential is stored before the temporary credential is consumed, so a process that dies between
        // the two leaves the temporary credential redeemable rather than consumed with nothing issued. Of several
        // requests racing with the same temporary credential, the one whose consume fails revokes what it stored.
        let pair = newTokenPair()
        let credential = TokenCredential(token: pair.token, secret: pair.secret, clientIdentifier: pending.clientIdentifier,
                                         userID: userID, scopes: pending.grantedScopes, createdAt: now,
                                         expiresAt: pending.tokenLifetime.map { now + $0 })
        try tokenCredentials.save(credential)
        guard let consumed = try temporaryCredentials.consume(token: token),
              consumed.clientIdentifier == signed.consumerKey, consumed.userID == userID, consumed.verifier == expected else {
            _ = try tokenCredentials.revoke(token: credential.token)
            throw OAuthError(.tokenRejected, "This temporary credential was already exchanged; request a new one.")
        }
        return credential
    }
}
