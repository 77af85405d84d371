import ProviderCore
import Testing

/// Every problem code reaches the client with its status (RFC 5849 section 3.2), its `oauth_problem`, a sentence, and `WWW-Authenticate` on 401.
@Suite struct ErrorResponseTests {
    let provider = TestProvider()
    var now: Int64 { provider.clock.now() }
    let resource = "https://photos.example.net/photos?size=original"

    func issueToken(scopes: [String] = [], expiresAt: Int64? = nil, revoked: Bool = false, client: String = "dpf43f3p2l4k3l03") throws -> TokenCredential {
        let credential = TokenCredential(token: "tok-\(TestProvider.freshNonce())", secret: "token-secret", clientIdentifier: client,
                                         userID: "user-1", scopes: scopes, createdAt: now, isRevoked: revoked, expiresAt: expiresAt)
        try provider.tokens.save(credential)
        return credential
    }

    func resourceRequest(_ token: TokenCredential, client: TestClient = TestClient(), timestamp: Int64? = nil,
                         nonce: String = TestProvider.freshNonce(), extra: [Parameter] = []) -> HTTPRequest {
        client.sign("GET", resource, token: token.token, tokenSecret: token.secret, oauth: extra,
                    timestamp: timestamp ?? now, nonce: nonce)
    }

    func response(_ request: HTTPRequest, requiredScopes: [String] = []) -> HTTPResponse {
        switch provider.protector.validate(request, requiredScopes: requiredScopes) {
        case .success: return HTTPResponse(status: 200)
        case .failure(let refusal): return refusal.response
        }
    }

    func check(_ response: HTTPResponse, _ code: OAuthError.Code, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == code.status, sourceLocation: sourceLocation)
        let body = try FormURLEncoding.parse(response.bodyText)
        #expect(body.first?.name == "oauth_problem" && body.first?.value == code.rawValue, "\(response.bodyText)", sourceLocation: sourceLocation)
        let advice = body.first { $0.name == "oauth_problem_advice" }?.value ?? ""
        #expect(advice.count > 20 && advice.hasSuffix("."), "advice: \(advice)", sourceLocation: sourceLocation)
        #expect(response.headers["Content-Type"] == "application/x-www-form-urlencoded", sourceLocation: sourceLocation)
        if response.status == 401 {
            #expect(response.headers["WWW-Authenticate"] == "OAuth realm=\"oauth1-fcgi\"", sourceLocation: sourceLocation)
        } else {
            #expect(response.headers["WWW-Authenticate"] == nil, sourceLocation: sourceLocation)
        }
    }

    @Test func statusesFollowSection3_2() {
        for code in OAuthError.Code.allCases {
            switch code {
            case .parameterAbsent, .parameterRejected, .signatureMethodRejected, .versionRejected, .transportRejected:
                #expect(code.status == 400)
            case .permissionDenied:
                #expect(code.status == 403)
            default:
                #expect(code.status == 401)
            }
        }
    }

    @Test func parameterAbsentListsEveryMissingParameter() throws {
        let request = HTTPRequest(method: "GET", url: RequestURL(resource)!,
                                  headers: [("Authorization", "OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_signature_method=\"HMAC-SHA1\"")])
        let reply = response(request)
        try check(reply, .parameterAbsent)
        let body = try FormURLEncoding.parse(reply.bodyText)
        #expect(body.first { $0.name == "oauth_parameters_absent" }?.value == "oauth_signature&oauth_timestamp&oauth_nonce")
    }

    @Test func parameterRejectedForDuplicatesAndBadValues() throws {
        let token = try issueToken()
        var duplicated = resourceRequest(token)
        duplicated.url.rawQuery = (duplicated.url.rawQuery ?? "") + "&oauth_token=x"
        try check(response(duplicated), .parameterRejected)
        for timestamp in ["-5", "abc", "1e9", "99999999999999999999", "", "+1700000000", "0"] {
            var request = resourceRequest(token)
            request.headers.set("Authorization", request.headers["Authorization"]!.replacingOccurrences(
                of: "oauth_timestamp=\"\(now)\"", with: "oauth_timestamp=\"\(PercentEncoding.encode(timestamp))\""))
            try check(response(request), .parameterRejected)
        }
        try check(response(resourceRequest(token, nonce: "")), .parameterRejected)
        try check(response(resourceRequest(token, nonce: String(repeating: "n", count: 256))), .parameterRejected)
    }

    @Test func signatureMethodRejectedWhenNotConfigured() throws {
        let token = try issueToken()
        var client = TestClient()
        client.method = "HMAC-SHA512"
        try check(response(resourceRequest(token, client: client)), .signatureMethodRejected)
        client.method = "MD5-MAGIC"
        try check(response(resourceRequest(token, client: client)), .signatureMethodRejected)
    }

    @Test func versionRejectedUnlessOnePointZero() throws {
        let token = try issueToken()
        var request = resourceRequest(token)
        request.headers.set("Authorization", request.headers["Authorization"]!.replacingOccurrences(of: "oauth_version=\"1.0\"", with: "oauth_version=\"2.0\""))
        let reply = response(request)
        try check(reply, .versionRejected)
        #expect(reply.bodyText.contains("oauth_acceptable_versions=1.0-1.0"))
    }

    @Test func timestampRefusedOutsideSymmetricWindow() throws {
        let token = try issueToken()
        #expect(response(resourceRequest(token, timestamp: now - 300)).status == 200)
        #expect(response(resourceRequest(token, timestamp: now + 300)).status == 200)
        for timestamp in [now - 301, now + 301, 1] {
            let reply = response(resourceRequest(token, timestamp: timestamp))
            try check(reply, .timestampRefused)
            #expect(reply.bodyText.contains("oauth_acceptable_timestamps=\(now - 300)-\(now + 300)"))
        }
    }

    @Test func nonceUsedOnReplay() throws {
        let token = try issueToken()
        let request = resourceRequest(token, nonce: "once")
        #expect(response(request).status == 200)
        try check(response(request), .nonceUsed)
        #expect(response(resourceRequest(token, timestamp: now + 1, nonce: "once")).status == 200)
    }

    @Test func consumerKeyUnknownAndRejected() throws {
        let token = try issueToken()
        var stranger = TestClient()
        stranger.key = "nobody"
        try check(response(resourceRequest(token, client: stranger)), .consumerKeyUnknown)
        provider.clients.add(Client(identifier: "off", secret: "s", name: "Off", isDisabled: true))
        var disabled = TestClient()
        disabled.key = "off"
        disabled.secret = "s"
        try check(response(resourceRequest(token, client: disabled)), .consumerKeyRejected)
    }

    @Test func tokenRejectedRevokedAndExpired() throws {
        let unknown = TokenCredential(token: "unknown", secret: "x", clientIdentifier: "dpf43f3p2l4k3l03", userID: "u", createdAt: now)
        try check(response(resourceRequest(unknown)), .tokenRejected)
        try check(response(resourceRequest(try issueToken(revoked: true))), .tokenRevoked)
        try check(response(resourceRequest(try issueToken(expiresAt: now))), .tokenExpired)
        #expect(response(resourceRequest(try issueToken(expiresAt: now + 1))).status == 200)
    }

    @Test func signatureInvalidWithWrongSecret() throws {
        let token = try issueToken()
        var wrong = TestClient()
        wrong.secret = "not-the-secret"
        try check(response(resourceRequest(token, client: wrong)), .signatureInvalid)
    }

    @Test func permissionDeniedWithoutRequiredScope() throws {
        let token = try issueToken(scopes: ["photos.read"])
        #expect(response(resourceRequest(token), requiredScopes: ["photos.read"]).status == 200)
        let reply = response(resourceRequest(token), requiredScopes: ["photos.write"])
        try check(reply, .permissionDenied)
        #expect(reply.bodyText.contains("oauth_required_scope=photos.write"))
    }

    @Test func transportRejectedOverPlainHTTPNamesTheSetting() throws {
        let token = try issueToken()
        let request = TestClient().sign("GET", "http://photos.example.net/photos", token: token.token, tokenSecret: token.secret,
                                        timestamp: now, nonce: TestProvider.freshNonce())
        let reply = response(request)
        try check(reply, .transportRejected)
        #expect(reply.bodyText.contains("OAUTH1_INSECURE_TRANSPORT"))
    }

    @Test func verifierInvalidAtTokenEndpoint() throws {
        let initiate = TestClient().sign("POST", "https://photos.example.net/initiate",
                                         oauth: [Parameter("oauth_callback", "oob")], timestamp: now, nonce: TestProvider.freshNonce())
        let temporary = try provider.server.issueTemporaryCredential(initiate)
        _ = try provider.server.authorize(token: temporary.token, userID: "user-1")
        let exchange = TestClient().sign("POST", "https://photos.example.net/token", token: temporary.token, tokenSecret: temporary.secret,
                                         oauth: [Parameter("oauth_verifier", "wrong")], timestamp: now, nonce: TestProvider.freshNonce())
        try check(provider.server.createTokenResponse(exchange), .verifierInvalid)
    }

    @Test func everyCodeIsExercisedHere() {
        // The tests above cover these codes one by one; this list must grow with the enum.
        let covered: Set<OAuthError.Code> = [.parameterAbsent, .parameterRejected, .signatureMethodRejected, .versionRejected,
                                             .timestampRefused, .nonceUsed, .consumerKeyUnknown, .consumerKeyRejected,
                                             .tokenRejected, .tokenRevoked, .tokenExpired, .verifierInvalid, .signatureInvalid,
                                             .permissionDenied, .transportRejected]
        #expect(covered == Set(OAuthError.Code.allCases))
    }
}
