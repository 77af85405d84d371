import ProviderCore
import Synchronization
import Testing

/// The three endpoints of RFC 5849 section 2, through in-memory stores.
@Suite struct AuthorizationServerTests {
    var now: Int64 { 1_700_000_000 }

    func initiate(_ provider: TestProvider, callback: String = "https://printer.example.com/ready", client: TestClient = TestClient(),
                  parameters: [Parameter] = [], extraOAuth: [Parameter] = []) throws -> TemporaryCredential {
        let request = client.sign("POST", "https://photos.example.net/initiate", parameters: parameters,
                                  oauth: [Parameter("oauth_callback", callback)] + extraOAuth,
                                  timestamp: provider.clock.now(), nonce: TestProvider.freshNonce())
        return try provider.server.issueTemporaryCredential(request)
    }

    func exchange(_ provider: TestProvider, _ temporary: TemporaryCredential, verifier: String,
                  client: TestClient = TestClient()) -> HTTPRequest {
        client.sign("POST", "https://photos.example.net/token", token: temporary.token, tokenSecret: temporary.secret,
                    oauth: [Parameter("oauth_verifier", verifier)], timestamp: provider.clock.now(), nonce: TestProvider.freshNonce())
    }

    func verifier(of decision: AuthorizationDecision) throws -> String {
        switch decision {
        case .redirect(let url):
            let query = try #require(RequestURL(url)?.rawQuery)
            return try #require(try FormURLEncoding.parse(query).first { $0.name == "oauth_verifier" }?.value)
        case .outOfBand(let verifier):
            return verifier
        case .denied:
            Issue.record("unexpected denial")
            return ""
        }
    }

    @Test func threeLeggedFlowIssuesTokenBoundToApprovingUser() throws {
        let provider = TestProvider()
        let token = try provider.completeFlow(user: "alice")
        #expect(token.userID == "alice")
        #expect(token.clientIdentifier == "dpf43f3p2l4k3l03")
        #expect(token.token.count == 42 && token.secret.count == 48)
        let request = TestClient().sign("GET", "https://photos.example.net/photos", token: token.token, tokenSecret: token.secret,
                                        timestamp: provider.clock.now(), nonce: TestProvider.freshNonce())
        let credential = try provider.protector.validateRequest(request)
        #expect(credential.userID == "alice")
        #expect(try provider.tokens.tokenCredential(token: token.token)?.lastUsedAt == provider.clock.now())
    }

    @Test func temporaryCredentialResponseIsFormEncodedAndExpires() throws {
        let provider = TestProvider()
        let request = TestClient().sign("POST", "https://photos.example.net/initiate", oauth: [Parameter("oauth_callback", "oob")],
                                        timestamp: now, nonce: "n-initiate")
        let response = provider.server.createTemporaryCredentialResponse(request)
        #expect(response.status == 200)
        let body = try FormURLEncoding.parse(response.bodyText)
        #expect(body.map(\.name) == ["oauth_token", "oauth_token_secret", "oauth_callback_confirmed"])
        #expect(body[2].value == "true")
        let stored = try #require(try provider.temporary.temporaryCredential(token: body[0].value))
        #expect(stored.expiresAt == now + 600)
        #expect(stored.secret == body[1].value)
    }

    @Test(arguments: ["javascript:alert(1)", "data:text/html,hi", "https://user:pw@evil.example/", "https://a.example/cb#frag",
                      "ftp://a.example/", "/relative/path", "", "OOB", "https://a.example/ cb", "https://", "http://a.example:99999/"])
    func refusesUnsafeCallbacks(_ callback: String) throws {
        let provider = TestProvider()
        let error = expectOAuthError(.parameterRejected) { try initiate(provider, callback: callback) }
        #expect(error?.details == [Parameter("oauth_parameters_rejected", "oauth_callback")])
    }

    @Test func callbackMustMatchARegisteredOne() throws {
        let registered = Client(identifier: "reg", secret: "reg-secret", name: "Registered",
                                callbackURIs: ["https://app.example.com/oauth/done", "http://localhost:8000/cb"])
        let provider = TestProvider(clients: [registered])
        var client = TestClient()
        client.key = "reg"
        client.secret = "reg-secret"
        _ = try initiate(provider, callback: "https://APP.example.com:443/oauth/done?state=1", client: client)
        _ = try initiate(provider, callback: "http://localhost:8000/cb", client: client)
        for bad in ["https://app.example.com/oauth/done/../evil", "http://app.example.com/oauth/done", "https://app.example.com:8443/oauth/done",
                    "https://evil.example.com/oauth/done", "http://localhost:8001/cb"] {
            expectOAuthError(.parameterRejected) { try initiate(provider, callback: bad, client: client) }
        }
    }

    @Test func missingCallbackIsAbsentAndTokenAtInitiateIsRejected() throws {
        let provider = TestProvider()
        let noCallback = TestClient().sign("POST", "https://photos.example.net/initiate", timestamp: now, nonce: TestProvider.freshNonce())
        let error = expectOAuthError(.parameterAbsent) { try provider.server.issueTemporaryCredential(noCallback) }
        #expect(error?.details == [Parameter("oauth_parameters_absent", "oauth_callback")])
        expectOAuthError(.parameterRejected) { try initiate(provider, extraOAuth: [Parameter("oauth_token", "abc")]) }
        _ = try initiate(provider, extraOAuth: [Parameter("oauth_token", "")])
    }

    @Test func outOfBandFlowShowsVerifier() throws {
        let provider = TestProvider()
        let temporary = try initiate(provider, callback: "oob")
        let decision = try provider.server.authorize(token: temporary.token, userID: "bob")
        guard case .outOfBand(let verifier) = decision else { Issue.record("expected oob"); return }
        #expect(verifier.count == 36)
        #expect(decision.redirectResponse == nil)
        let token = try provider.server.issueTokenCredential(exchange(provider, temporary, verifier: verifier))
        #expect(token.userID == "bob")
    }

    @Test func redirectKeepsExistingQuery() throws {
        let provider = TestProvider()
        let temporary = try initiate(provider, callback: "https://printer.example.com/ready?state=a%20b")
        let decision = try provider.server.authorize(token: temporary.token, userID: "bob")
        let verifier = try verifier(of: decision)
        #expect(decision == .redirect("https://printer.example.com/ready?state=a%20b&oauth_token=\(temporary.token)&oauth_verifier=\(verifier)"))
        #expect(decision.redirectResponse?.status == 302)
    }

    @Test func denialRemovesCredentialAndRedirectsWithDenied() throws {
        let provider = TestProvider()
        let temporary = try initiate(provider)
        let decision = try provider.server.authorize(token: temporary.token, userID: nil)
        #expect(decision == .denied(redirect: "https://printer.example.com/ready?denied=\(temporary.token)"))
        #expect(try provider.temporary.temporaryCredential(token: temporary.token) == nil)
        let oob = try initiate(provider, callback: "oob")
        #expect(try provider.server.authorize(token: oob.token, userID: nil) == .denied(redirect: nil))
    }

    @Test func consentPageLearnsClientCallbackAndScopes() throws {
        let provider = TestProvider(configure: {
            $0.scopes = [ScopeDefinition(name: "photos.read", description: "See your photos"),
                         ScopeDefinition(name: "photos.write", description: "Upload photos")]
        })
        let temporary = try initiate(provider, parameters: [Parameter("scope", "photos.read photos.write")])
        let consent = try provider.server.checkAuthorizationRequest(token: temporary.token)
        #expect(consent.clientName == "Printer")
        #expect(consent.callbackHost == "printer.example.com")
        #expect(consent.scopes.map(\.description) == ["See your photos", "Upload photos"])

        let decision = try provider.server.authorize(token: temporary.token, userID: "u", grantedScopes: ["photos.read"])
        let token = try provider.server.issueTokenCredential(exchange(provider, temporary, verifier: try verifier(of: decision)))
        #expect(token.scopes == ["photos.read"])
    }

    @Test func unknownOrUngrantableScopesAreRefused() throws {
        let provider = TestProvider(configure: { $0.scopes = [ScopeDefinition(name: "read", description: "Read")] })
        let error = expectOAuthError(.parameterRejected) { try initiate(provider, parameters: [Parameter("scope", "read admin")]) }
        #expect(error?.message.contains("'admin'") == true)
        let temporary = try initiate(provider, parameters: [Parameter("scope", "read")])
        expectOAuthError(.parameterRejected) { try provider.server.authorize(token: temporary.token, userID: "u", grantedScopes: ["read", "admin"]) }
    }

    @Test func authorizationEndpointRefusesUnknownExpiredAndReusedTokens() throws {
        let provider = TestProvider()
        expectOAuthError(.tokenRejected) { try provider.server.checkAuthorizationRequest(token: "nope") }
        let temporary = try initiate(provider)
        _ = try provider.server.authorize(token: temporary.token, userID: "u")
        expectOAuthError(.tokenRejected) { try provider.server.checkAuthorizationRequest(token: temporary.token) }
        expectOAuthError(.tokenRejected) { try provider.server.authorize(token: temporary.token, userID: "mallory") }
        let later = try initiate(provider)
        provider.clock.advance(600)
        expectOAuthError(.tokenRejected) { try provider.server.checkAuthorizationRequest(token: later.token) }
    }

    @Test func authorizationTokenIsReadFromQueryOrForm() throws {
        let provider = TestProvider()
        let get = HTTPRequest(method: "GET", url: RequestURL("https://p.example/authorize?oauth_token=abc")!)
        #expect(try provider.server.authorizationToken(in: get) == "abc")
        let post = HTTPRequest(method: "POST", url: RequestURL("https://p.example/authorize")!,
                               headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("oauth_token=xyz&granted=1".utf8))
        #expect(try provider.server.authorizationToken(in: post) == "xyz")
        expectOAuthError(.parameterAbsent) { try provider.server.authorizationToken(in: HTTPRequest(method: "GET", url: RequestURL("https://p.example/authorize")!)) }
    }

    @Test func wrongVerifierDestroysTemporaryCredential() throws {
        let provider = TestProvider()
        let temporary = try initiate(provider)
        let good = try verifier(of: try provider.server.authorize(token: temporary.token, userID: "u"))
        expectOAuthError(.verifierInvalid) { try provider.server.issueTokenCredential(exchange(provider, temporary, verifier: good + "x")) }
        #expect(try provider.temporary.temporaryCredential(token: temporary.token) == nil)
        expectOAuthError(.tokenRejected) { try provider.server.issueTokenCredential(exchange(provider, temporary, verifier: good)) }
    }

    @Test func temporaryCredentialIsExchangedOnce() throws {
        let provider = TestProvider()
        let temporary = try initiate(provider)
        let verifier = try verifier(of: try provider.server.authorize(token: temporary.token, userID: "u"))
        _ = try provider.server.issueTokenCredential(exchange(provider, temporary, verifier: verifier))
        expectOAuthError(.tokenRejected) { try provider.server.issueTokenCredential(exchange(provider, temporary, verifier: verifier)) }
    }

    @Test func tokenStepRefusesUnauthorizedExpiredAndOtherClientsCredentials() throws {
        let other = Client(identifier: "other", secret: "other-secret", name: "Other")
        let provider = TestProvider(clients: [other])
        let pending = try initiate(provider)
        expectOAuthError(.tokenRejected) { try provider.server.issueTokenCredential(exchange(provider, pending, verifier: "anything")) }
        #expect(try provider.temporary.temporaryCredential(token: pending.token) != nil)

        let approved = try initiate(provider)
        let verifier = try verifier(of: try provider.server.authorize(token: approved.token, userID: "u"))
        var thief = TestClient()
        thief.key = "other"
        thief.secret = "other-secret"
        expectOAuthError(.tokenRejected) { try provider.server.issueTokenCredential(exchange(provider, approved, verifier: verifier, client: thief)) }

        provider.clock.advance(601)
        let stale = exchange(provider, approved, verifier: verifier)
        expectOAuthError(.tokenRejected) { try provider.server.issueTokenCredential(stale) }
    }

    @Test func temporaryTokenCannotReachProtectedResources() throws {
        let provider = TestProvider()
        let temporary = try initiate(provider)
        _ = try provider.server.authorize(token: temporary.token, userID: "u")
        let request = TestClient().sign("GET", "https://photos.example.net/photos", token: temporary.token, tokenSecret: temporary.secret,
                                        timestamp: provider.clock.now(), nonce: TestProvider.freshNonce())
        expectOAuthError(.tokenRejected) { try provider.protector.validateRequest(request) }
    }

    @Test func anotherClientsTokenIsRejected() throws {
        let other = Client(identifier: "other", secret: "other-secret", name: "Other")
        let provider = TestProvider(clients: [other])
        let token = try provider.completeFlow()
        var thief = TestClient()
        thief.key = "other"
        thief.secret = "other-secret"
        let request = thief.sign("GET", "https://photos.example.net/photos", token: token.token, tokenSecret: token.secret,
                                 timestamp: provider.clock.now(), nonce: TestProvider.freshNonce())
        expectOAuthError(.tokenRejected) { try provider.protector.validateRequest(request) }
    }

    @Test func revokedTokenFailsOnItsNextRequest() throws {
        let provider = TestProvider()
        let token = try provider.completeFlow()
        #expect(try provider.tokens.revoke(token: token.token))
        let request = TestClient().sign("GET", "https://photos.example.net/photos", token: token.token, tokenSecret: token.secret,
                                        timestamp: provider.clock.now(), nonce: TestProvider.freshNonce())
        expectOAuthError(.tokenRevoked) { try provider.protector.validateRequest(request) }
    }

    @Test func twoLeggedOnlyForFlaggedClients() throws {
        let flagged = Client(identifier: "lti", secret: "lti-secret", name: "LTI tool", allowsTwoLegged: true)
        let provider = TestProvider(clients: [flagged])
        var tool = TestClient()
        tool.key = "lti"
        tool.secret = "lti-secret"
        let launch = tool.sign("POST", "https://photos.example.net/launch", parameters: [Parameter("user_id", "42")],
                               timestamp: provider.clock.now(), nonce: TestProvider.freshNonce(), location: .body)
        let credential = try provider.protector.validateRequest(launch)
        #expect(credential.token == nil && credential.userID == nil && credential.client.identifier == "lti")
        expectOAuthError(.nonceUsed) { try provider.protector.validateRequest(launch) }

        let unflagged = TestClient().sign("POST", "https://photos.example.net/launch", parameters: [Parameter("user_id", "42")],
                                          timestamp: provider.clock.now(), nonce: TestProvider.freshNonce(), location: .body)
        let error = expectOAuthError(.parameterAbsent) { try provider.protector.validateRequest(unflagged) }
        #expect(error?.details == [Parameter("oauth_parameters_absent", "oauth_token")])
    }

    @Test func customTokenGeneratorIsUsed() throws {
        let script = TokenScript([("temp-token-1", "temp-secret-1"), ("access-token-1", "access-secret-1")])
        let provider = TestProvider(tokenGenerator: script.generator)
        let token = try provider.completeFlow()
        #expect(token.token == "access-token-1" && token.secret == "access-secret-1")
    }

    @Test func configuredLengthsAreUsed() throws {
        let provider = TestProvider(configure: { $0.tokenLength = 20; $0.tokenSecretLength = 46; $0.verifierLength = 24 })
        let temporary = try initiate(provider, callback: "oob")
        #expect(temporary.token.count == 20 && temporary.secret.count == 46)
        #expect(try verifier(of: try provider.server.authorize(token: temporary.token, userID: "u")).count == 24)
    }

    @Test func parametersInQueryAndBodyAreAccepted() throws {
        let provider = TestProvider()
        for location in [SignatureLocation.query, .body] {
            let request = TestClient().sign("POST", "https://photos.example.net/initiate", oauth: [Parameter("oauth_callback", "oob")],
                                            timestamp: provider.clock.now(), nonce: TestProvider.freshNonce(), location: location)
            #expect(provider.server.createTemporaryCredentialResponse(request).status == 200)
        }
    }

    @Test func plaintextMayOmitTimestampAndNonce() throws {
        let provider = TestProvider()
        let token = try provider.completeFlow()
        let request = HTTPRequest(method: "GET", url: RequestURL("https://photos.example.net/photos")!, headers: [
            ("Authorization", "OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_token=\"\(token.token)\", oauth_signature_method=\"PLAINTEXT\", oauth_signature=\"kd94hf93k423kf44%26\(token.secret)\""),
        ])
        #expect(try provider.protector.validateRequest(request).userID == "user-1")
        let hmac = HTTPRequest(method: "GET", url: RequestURL("https://photos.example.net/photos")!, headers: [
            ("Authorization", "OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_token=\"\(token.token)\", oauth_signature_method=\"HMAC-SHA1\", oauth_signature=\"AAAA\""),
        ])
        expectOAuthError(.parameterAbsent) { try provider.protector.validateRequest(hmac) }
    }

    @Test func extraProtocolParametersThatAreHarmlessAreIgnored() throws {
        let provider = TestProvider()
        let temporary = try initiate(provider)
        let verifier = try verifier(of: try provider.server.authorize(token: temporary.token, userID: "u"))
        let request = TestClient().sign("POST", "https://photos.example.net/token", token: temporary.token, tokenSecret: temporary.secret,
                                        oauth: [Parameter("oauth_verifier", verifier), Parameter("oauth_callback", "https://printer.example.com/ready")],
                                        timestamp: provider.clock.now(), nonce: TestProvider.freshNonce())
        #expect(try provider.server.issueTokenCredential(request).userID == "u")
    }

    @Test func disabledClientCannotFinishAuthorization() throws {
        let provider = TestProvider()
        let temporary = try initiate(provider)
        provider.clients.add(Client(identifier: "dpf43f3p2l4k3l03", secret: "kd94hf93k423kf44", name: "Printer", isDisabled: true))
        expectOAuthError(.consumerKeyRejected) { try provider.server.checkAuthorizationRequest(token: temporary.token) }
    }
}

/// A token lifetime the client asks for with `expiration` at initiate (Trello's idea); none means the token never expires.
@Suite struct TokenLifetimeTests {
    @Test func requestedLifetimeBoundsTheTokenCredential() throws {
        let provider = TestProvider()
        let token = try provider.completeFlow(extra: [Parameter("expiration", "1day")])
        #expect(token.expiresAt == provider.clock.now() + 86_400)
        let forever = try provider.completeFlow()
        #expect(forever.expiresAt == nil)
        provider.clock.advance(86_400)
        let request = TestClient().sign("GET", "https://photos.example.net/photos", token: token.token, tokenSecret: token.secret,
                                        timestamp: provider.clock.now(), nonce: TestProvider.freshNonce())
        expectOAuthError(.tokenExpired) { try provider.protector.validateRequest(request) }
    }

    @Test func lifetimesParse() throws {
        #expect(try TokenLifetime.parse(nil) == nil)
        #expect(try TokenLifetime.parse("never") == nil)
        #expect(try TokenLifetime.parse("1hour") == 3600)
        #expect(try TokenLifetime.parse("30days") == 2_592_000)
        #expect(try TokenLifetime.parse("7200") == 7200)
        for bad in ["0", "59", "forever", "-5", "99999999999"] {
            expectOAuthError(.parameterRejected) { try TokenLifetime.parse(bad) }
        }
        #expect(TokenLifetime.describe(86_400) == "1 day" && TokenLifetime.describe(7200) == "2 hours")
    }
}

/// The token step when a process dies, or another request wins, between storing the token credential and consuming the
/// temporary credential (RFC 5849 section 2.3: the temporary credential is exchanged once).
@Suite struct TokenExchangeOrderTests {
    /// Temporary credentials whose next consume is interrupted: the process dies right after the store consumed it
    /// (throws), or another request consumed it first (nil).
    final class InterruptedConsume: TemporaryCredentialStore {
        enum Outcome { case dies, losesRace }
        let inner = InMemoryTemporaryCredentialStore()
        let outcome: Mutex<Outcome?>
        init(_ outcome: Outcome) { self.outcome = Mutex(outcome) }
        struct Died: Error {}
        func save(_ credential: TemporaryCredential) throws { try inner.save(credential) }
        func temporaryCredential(token: String) throws -> TemporaryCredential? { try inner.temporaryCredential(token: token) }
        func authorize(token: String, userID: String, verifier: String, grantedScopes: [String]) throws -> Bool {
            try inner.authorize(token: token, userID: userID, verifier: verifier, grantedScopes: grantedScopes)
        }
        func consume(token: String) throws -> TemporaryCredential? {
            switch outcome.withLock({ value in defer { value = nil }; return value }) {
            case .dies: _ = try inner.consume(token: token); throw Died()
            case .losesRace: _ = try inner.consume(token: token); return nil
            case nil: return try inner.consume(token: token)
            }
        }
    }

    /// Token credentials, remembering every one saved.
    final class RecordingTokens: TokenCredentialStore {
        let inner = InMemoryTokenCredentialStore()
        let saved = Mutex<[String]>([])
        func save(_ credential: TokenCredential) throws { try inner.save(credential); saved.withLock { $0.append(credential.token) } }
        func tokenCredential(token: String) throws -> TokenCredential? { try inner.tokenCredential(token: token) }
        func recordUse(token: String, at time: Int64) throws { try inner.recordUse(token: token, at: time) }
        func revoke(token: String) throws -> Bool { try inner.revoke(token: token) }
    }

    func server(_ temporary: InterruptedConsume, _ tokens: RecordingTokens, clock: TestClock) throws -> AuthorizationServer {
        var configuration = ProviderConfiguration()
        configuration.supportedSignatureMethods = ["HMAC-SHA1"]
        return try AuthorizationServer(configuration: configuration,
                                       clients: InMemoryClientStore([Client(identifier: "dpf43f3p2l4k3l03", secret: "kd94hf93k423kf44", name: "Printer")]),
                                       temporaryCredentials: temporary, tokenCredentials: tokens, nonces: InMemoryNonceStore(), clock: clock)
    }

    func authorizedTemporary(_ server: AuthorizationServer, clock: TestClock) throws -> (TemporaryCredential, String) {
        let client = TestClient()
        let temporary = try server.issueTemporaryCredential(client.sign("POST", "https://photos.example.net/initiate",
                                                                         oauth: [Parameter("oauth_callback", "oob")],
                                                                         timestamp: clock.now(), nonce: TestProvider.freshNonce()))
        guard case .outOfBand(let verifier) = try server.authorize(token: temporary.token, userID: "7") else {
            Issue.record("expected an out-of-band verifier")
            return (temporary, "")
        }
        return (temporary, verifier)
    }

    func exchange(_ temporary: TemporaryCredential, _ verifier: String, clock: TestClock) -> HTTPRequest {
        TestClient().sign("POST", "https://photos.example.net/token", token: temporary.token, tokenSecret: temporary.secret,
                          oauth: [Parameter("oauth_verifier", verifier)], timestamp: clock.now(), nonce: TestProvider.freshNonce())
    }

    @Test func aProcessDyingAtTheConsumeLeavesTheTokenCredentialStored() throws {
        let clock = TestClock(1_700_000_000)
        let (temporaries, tokens) = (InterruptedConsume(.dies), RecordingTokens())
        let server = try server(temporaries, tokens, clock: clock)
        let (temporary, verifier) = try authorizedTemporary(server, clock: clock)
        #expect(throws: InterruptedConsume.Died.self) { try server.issueTokenCredential(exchange(temporary, verifier, clock: clock)) }
        // Consumed, and never without its token credential.
        #expect(try temporaries.temporaryCredential(token: temporary.token) == nil)
        let stored = try #require(tokens.saved.withLock { $0 }.first)
        let credential = try #require(try tokens.tokenCredential(token: stored))
        #expect(credential.userID == "7" && !credential.isRevoked)
    }

    @Test func theLoserOfARaceRevokesTheTokenCredentialItStored() throws {
        let clock = TestClock(1_700_000_000)
        let (temporaries, tokens) = (InterruptedConsume(.losesRace), RecordingTokens())
        let server = try server(temporaries, tokens, clock: clock)
        let (temporary, verifier) = try authorizedTemporary(server, clock: clock)
        expectOAuthError(.tokenRejected) { try server.issueTokenCredential(exchange(temporary, verifier, clock: clock)) }
        let stored = try #require(tokens.saved.withLock { $0 }.first)
        #expect(try tokens.tokenCredential(token: stored)?.isRevoked == true)
    }
}
