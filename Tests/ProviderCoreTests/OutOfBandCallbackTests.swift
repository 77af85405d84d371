import ProviderCore
import Testing

/// `oauth_callback=oob` says the callback was "established via other means" (RFC 5849 section 2.1): the verifier is shown
/// to the user instead of sent by redirect. A client without a callback must send it, and nothing in the RFC forbids it to a
/// client that registered callback URIs, so every client may use it.
@Suite struct OutOfBandCallbackTests {
    @Test func clientWithRegisteredCallbacksMayAskForAnOutOfBandVerifier() throws {
        let registered = Client(identifier: "reg", secret: "reg-secret", name: "Registered",
                                callbackURIs: ["https://app.example.com/oauth/done"])
        let provider = TestProvider(clients: [registered])
        var client = TestClient()
        client.key = "reg"
        client.secret = "reg-secret"
        let now = provider.clock.now()
        let initiate = client.sign("POST", "https://photos.example.net/initiate", oauth: [Parameter("oauth_callback", "oob")],
                                   timestamp: now, nonce: TestProvider.freshNonce())
        let temporary = try provider.server.issueTemporaryCredential(initiate)
        #expect(try provider.server.checkAuthorizationRequest(token: temporary.token).callbackHost == nil)
        guard case .outOfBand(let verifier) = try provider.server.authorize(token: temporary.token, userID: "bob") else {
            Issue.record("expected an out-of-band verifier, not a redirect")
            return
        }
        let exchange = client.sign("POST", "https://photos.example.net/token", token: temporary.token, tokenSecret: temporary.secret,
                                   oauth: [Parameter("oauth_verifier", verifier)], timestamp: now, nonce: TestProvider.freshNonce())
        let token = try provider.server.issueTokenCredential(exchange)
        #expect(token.userID == "bob" && token.clientIdentifier == "reg")
    }
}
