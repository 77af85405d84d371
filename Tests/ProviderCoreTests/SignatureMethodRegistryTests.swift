import ProviderCore
import Synchronization
import Testing

/// Registering methods (the seed's HMAC-SHA256 example), the accepted list, and equal work for unknown clients and tokens.
@Suite struct SignatureMethodRegistryTests {
    @Test func defaultsAcceptHMACSHA1Only() {
        #expect(ProviderConfiguration().supportedSignatureMethods == ["HMAC-SHA1"])
        #expect(SignatureMethodRegistry.builtIn.names == ["HMAC-SHA1", "HMAC-SHA256", "HMAC-SHA512", "PLAINTEXT", "RSA-SHA1", "RSA-SHA256"])
    }

    /// The seed's custom HMAC-SHA256 method, written against the registry in a few lines and used alone.
    @Test func seedsCustomHMACSHA256ExampleWorks() throws {
        var registry = SignatureMethodRegistry.builtIn
        registry.register("HMAC-SHA256") { input in
            let digest = HMAC.authenticationCode(.sha256, key: input.signingKey, message: input.baseString)
            return ConstantTime.equals(Base64.encode(digest), input.signature)
        }
        let provider = TestProvider(configure: { $0.supportedSignatureMethods = ["HMAC-SHA256"] }, registry: registry)
        var client = TestClient()
        client.method = "HMAC-SHA256"
        let request = client.sign("POST", "https://photos.example.net/initiate", oauth: [Parameter("oauth_callback", "oob")],
                                  timestamp: provider.clock.now(), nonce: "n1")
        #expect(provider.server.createTemporaryCredentialResponse(request).status == 200)
        let sha1 = TestClient().sign("POST", "https://photos.example.net/initiate", oauth: [Parameter("oauth_callback", "oob")],
                                     timestamp: provider.clock.now(), nonce: "n2")
        expectOAuthError(.signatureMethodRejected) { try provider.server.issueTemporaryCredential(sha1) }
    }

    @Test func configurationNamingAnUnknownMethodIsRefused() {
        var configuration = ProviderConfiguration()
        configuration.supportedSignatureMethods = ["HMAC-SHA1", "HMAC-MD5"]
        #expect(throws: ConfigurationError.self) { try configuration.validate(against: .builtIn) }
        do {
            try configuration.validate(against: .builtIn)
        } catch {
            #expect(error.key == "OAUTH1_SUPPORTED_SIGNATURE_METHODS")
            #expect(error.description.contains("HMAC-MD5"))
        }
        var short = ProviderConfiguration()
        short.tokenLength = 8
        #expect(throws: ConfigurationError(key: "OAUTH1_TOKEN_LENGTH", message: "")) { try short.validate(against: .builtIn) }
    }

    /// A known and an unknown client, and a known and an unknown token, each cost exactly one signature verification.
    @Test func unknownClientOrTokenCostsOneVerificationLikeAKnownOne() throws {
        let calls = Atomic<Int>(0)
        var registry = SignatureMethodRegistry.builtIn
        let counted = SignatureMethod.hmacSHA1
        registry.register(SignatureMethod(name: "HMAC-SHA1") { input in
            calls.add(1, ordering: .relaxed)
            return counted.verify(input)
        })
        let provider = TestProvider(registry: registry)
        let token = try provider.completeFlow()
        calls.store(0, ordering: .relaxed)

        func attempt(client key: String, token: String) -> Int {
            calls.store(0, ordering: .relaxed)
            var client = TestClient()
            client.key = key
            let request = client.sign("GET", "https://photos.example.net/photos", token: token, tokenSecret: "whatever",
                                      timestamp: provider.clock.now(), nonce: TestProvider.freshNonce())
            _ = try? provider.protector.validateRequest(request)
            return calls.load(ordering: .relaxed)
        }
        #expect(attempt(client: "dpf43f3p2l4k3l03", token: token.token) == 1)
        #expect(attempt(client: "no-such-client", token: token.token) == 1)
        #expect(attempt(client: "dpf43f3p2l4k3l03", token: "no-such-token") == 1)
        #expect(attempt(client: "no-such-client", token: "no-such-token") == 1)
    }
}
