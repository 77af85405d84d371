import ProviderCore
import Testing

/// A protocol parameter that is present with an empty value is not a value (RFC 5849 sections 3.1 and 3.3): it is refused
/// with 400 `parameter_rejected` and a sentence that names it, from whichever of the three locations it came.
@Suite struct EmptyProtocolParameterTests {
    let provider = TestProvider()
    var now: Int64 { provider.clock.now() }

    /// Protocol parameters as a client would send them, unsigned: each check here happens before any signature work.
    func request(_ url: String, _ oauth: [Parameter], emptying name: String, in location: SignatureLocation,
                 method: String = "POST") -> HTTPRequest {
        let parameters = oauth.map { $0.name == name ? Parameter(name, "") : $0 }
        var request = HTTPRequest(method: method, url: RequestURL(url)!)
        switch location {
        case .header:
            request.headers.add("Authorization", "OAuth " + parameters.map { "\($0.name)=\"\(PercentEncoding.encode($0.value))\"" }
                .joined(separator: ", "))
        case .query:
            request.url.rawQuery = FormURLEncoding.serialize(parameters)
        case .body:
            request.headers.add("Content-Type", "application/x-www-form-urlencoded")
            request.body = Array(FormURLEncoding.serialize(parameters).utf8)
        }
        return request
    }

    func common(token: String? = nil) -> [Parameter] {
        var oauth = [Parameter("oauth_consumer_key", "dpf43f3p2l4k3l03"), Parameter("oauth_signature_method", "HMAC-SHA1"),
                     Parameter("oauth_signature", "c2lnbmF0dXJl"), Parameter("oauth_timestamp", String(now)),
                     Parameter("oauth_nonce", TestProvider.freshNonce())]
        if let token { oauth.append(Parameter("oauth_token", token)) }
        return oauth
    }

    func expectEmpty(_ name: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        let error = expectOAuthError(.parameterRejected, sourceLocation: sourceLocation) { try body() }
        #expect(error?.details == [Parameter("oauth_parameters_rejected", name)], sourceLocation: sourceLocation)
        #expect(error?.message.hasPrefix("\(name) is empty; ") == true, "\(String(describing: error))", sourceLocation: sourceLocation)
    }

    static let locations: [SignatureLocation] = [.header, .query, .body]

    @Test(arguments: ["oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"],
          locations)
    func emptyCommonParameterIsRefusedAtEveryEndpoint(_ name: String, _ location: SignatureLocation) throws {
        let token = TokenCredential(token: "tok", secret: "ts", clientIdentifier: "dpf43f3p2l4k3l03", userID: "u", createdAt: now)
        try provider.tokens.save(token)
        expectEmpty(name) {
            _ = try provider.protector.validateRequest(request("https://photos.example.net/photos", common(token: "tok"),
                                                               emptying: name, in: location))
        }
        expectEmpty(name) {
            _ = try provider.server.issueTemporaryCredential(request("https://photos.example.net/initiate",
                                                                     common() + [Parameter("oauth_callback", "oob")],
                                                                     emptying: name, in: location))
        }
    }

    @Test(arguments: locations)
    func emptyCallbackIsRefusedAtInitiate(_ location: SignatureLocation) {
        expectEmpty("oauth_callback") {
            _ = try provider.server.issueTemporaryCredential(request("https://photos.example.net/initiate",
                                                                     common() + [Parameter("oauth_callback", "x")],
                                                                     emptying: "oauth_callback", in: location))
        }
    }

    @Test(arguments: locations)
    func emptyTokenOrVerifierIsRefusedAtTheTokenEndpointAndVoidsNothing(_ location: SignatureLocation) throws {
        let initiate = provider.client.sign("POST", "https://photos.example.net/initiate", oauth: [Parameter("oauth_callback", "oob")],
                                            timestamp: now, nonce: TestProvider.freshNonce())
        let temporary = try provider.server.issueTemporaryCredential(initiate)
        guard case .outOfBand(let verifier) = try provider.server.authorize(token: temporary.token, userID: "bob") else {
            Issue.record("expected an out-of-band verifier")
            return
        }
        for name in ["oauth_token", "oauth_verifier"] {
            expectEmpty(name) {
                _ = try provider.server.issueTokenCredential(request("https://photos.example.net/token",
                                                                     common(token: temporary.token) + [Parameter("oauth_verifier", verifier)],
                                                                     emptying: name, in: location))
            }
        }
        // The refusals came before any look-up: the temporary credential is still redeemable with the right verifier.
        let exchange = provider.client.sign("POST", "https://photos.example.net/token", token: temporary.token, tokenSecret: temporary.secret,
                                            oauth: [Parameter("oauth_verifier", verifier)], timestamp: now, nonce: TestProvider.freshNonce())
        #expect(try provider.server.issueTokenCredential(exchange).userID == "bob")
    }

    @Test func emptyTokenIsRefusedAtTheAuthorizationEndpoint() {
        expectEmpty("oauth_token") {
            _ = try provider.server.authorizationToken(in: HTTPRequest(method: "GET", url: RequestURL("https://photos.example.net/authorize?oauth_token=")!))
        }
    }

    @Test func aNameWithoutEqualsSignIsAnEmptyValue() {
        var request = request("https://photos.example.net/photos", common(token: "tok"), emptying: "", in: .query, method: "GET")
        request.url.rawQuery = request.url.rawQuery!.replacingOccurrences(of: "oauth_nonce=", with: "x=") + "&oauth_nonce"
        expectEmpty("oauth_nonce") { _ = try provider.protector.validateRequest(request) }
    }

    @Test func severalEmptyParametersAreNamedTogether() {
        let oauth = common().map { $0.name == "oauth_nonce" || $0.name == "oauth_timestamp" ? Parameter($0.name, "") : $0 }
        let error = expectOAuthError(.parameterRejected) {
            try provider.protector.validateRequest(request("https://photos.example.net/photos", oauth, emptying: "", in: .header))
        }
        #expect(error?.details == [Parameter("oauth_parameters_rejected", "oauth_timestamp&oauth_nonce")])
        #expect(error?.message == "oauth_timestamp is empty; send the time of the request in whole seconds since 1970-01-01T00:00:00Z. "
            + "oauth_nonce is empty; send a unique random string.")
    }

    /// RFC 5849 section 2.1 calls an `oauth_token` with no token "the empty oauth_token", which a client may omit: where no
    /// token is needed, an empty one means none. Where one is needed, it is refused like the other empty parameters.
    @Test func emptyTokenMeansNoTokenOnlyWhereNoneIsNeeded() throws {
        let flagged = Client(identifier: "lti", secret: "lti-secret", name: "LTI tool", allowsTwoLegged: true)
        let provider = TestProvider(clients: [flagged])
        var tool = TestClient()
        tool.key = "lti"
        tool.secret = "lti-secret"
        let launch = tool.sign("POST", "https://photos.example.net/launch", token: "", parameters: [Parameter("user_id", "42")],
                               timestamp: now, nonce: TestProvider.freshNonce(), location: .body)
        let credential = try provider.protector.validateRequest(launch)
        #expect(credential.token == nil && credential.client.identifier == "lti")

        for location in Self.locations {
            let threeLeggedOnly = provider.client.sign("GET", "https://photos.example.net/photos", token: "", timestamp: now,
                                                       nonce: TestProvider.freshNonce(), location: location)
            expectEmpty("oauth_token") { _ = try provider.protector.validateRequest(threeLeggedOnly) }
        }
        // At the temporary credential endpoint no token is wanted: the empty one of section 2.1 is accepted.
        let initiate = provider.client.sign("POST", "https://photos.example.net/initiate", token: "", oauth: [Parameter("oauth_callback", "oob")],
                                            timestamp: now, nonce: TestProvider.freshNonce())
        _ = try provider.server.issueTemporaryCredential(initiate)
    }

    @Test func plaintextMayOmitTimestampAndNonceButNotSendThemEmpty() throws {
        var client = TestClient()
        client.method = "PLAINTEXT"
        var request = client.sign("GET", "https://photos.example.net/photos", token: "tok", tokenSecret: "ts", timestamp: now, nonce: "n")
        request.headers.set("Authorization", request.headers["Authorization"]!.replacingOccurrences(of: "oauth_timestamp=\"\(now)\"",
                                                                                                    with: "oauth_timestamp=\"\""))
        expectEmpty("oauth_timestamp") { _ = try provider.protector.validateRequest(request) }
    }
}
