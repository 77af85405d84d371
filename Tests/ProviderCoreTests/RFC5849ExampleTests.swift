import ProviderCore
import Testing

/// RFC 5849's own examples, byte for byte: the section 1.2 photos.example.net flow and the section 3.4.1 base string.
@Suite struct RFC5849ExampleTests {
    static let initiate = HTTPRequest(
        method: "POST", url: RequestURL("https://photos.example.net/initiate")!,
        headers: [("Host", "photos.example.net"),
                  ("Authorization", """
                   OAuth realm="Photos",
                      oauth_consumer_key="dpf43f3p2l4k3l03",
                      oauth_signature_method="HMAC-SHA1",
                      oauth_timestamp="137131200",
                      oauth_nonce="wIjqoS",
                      oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready",
                      oauth_signature="74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D"
                   """)])

    static let token = HTTPRequest(
        method: "POST", url: RequestURL("https://photos.example.net/token")!,
        headers: [("Authorization", """
                   OAuth realm="Photos",
                      oauth_consumer_key="dpf43f3p2l4k3l03",
                      oauth_token="hh5s93j4hdidpola",
                      oauth_signature_method="HMAC-SHA1",
                      oauth_timestamp="137131201",
                      oauth_nonce="walatlh",
                      oauth_verifier="hfdp7dh39dks9884",
                      oauth_signature="gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D"
                   """)])

    static let photos = HTTPRequest(
        method: "GET", url: RequestURL("http://photos.example.net/photos?file=vacation.jpg&size=original")!,
        headers: [("Authorization", """
                   OAuth realm="Photos",
                      oauth_consumer_key="dpf43f3p2l4k3l03",
                      oauth_token="nnch734d00sl2jdk",
                      oauth_signature_method="HMAC-SHA1",
                      oauth_timestamp="137131202",
                      oauth_nonce="chapoH",
                      oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"
                   """)])

    static func baseString(_ request: HTTPRequest) throws -> String {
        SignatureBaseString.make(request: request, parameters: try RequestParameters(request))
    }

    @Test func initiateBaseStringMatchesSection1_2() throws {
        #expect(try Self.baseString(Self.initiate) == "POST&https%3A%2F%2Fphotos.example.net%2Finitiate&oauth_callback%3Dhttp%253A%252F%252Fprinter.example.com%252Fready%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DwIjqoS%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131200")
    }

    @Test func tokenBaseStringMatchesSection1_2() throws {
        #expect(try Self.baseString(Self.token) == "POST&https%3A%2F%2Fphotos.example.net%2Ftoken&oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dwalatlh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dhh5s93j4hdidpola%26oauth_verifier%3Dhfdp7dh39dks9884")
    }

    @Test func resourceBaseStringMatchesSection1_2() throws {
        #expect(try Self.baseString(Self.photos) == "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal")
    }

    @Test func hmacSHA1SignaturesMatchSection1_2() throws {
        let cases: [(HTTPRequest, String, String)] = [
            (Self.initiate, "", "74KNZJeDHnMBp0EMJ9ZHt/XKycU="),
            (Self.token, "hdhd0244k9j7ao03", "gKgrFCywp7rO0OXSjdot/IHF7IU="),
            (Self.photos, "pfkkdhi9sl3r4s00", "MdpQcU8iPSUjWoN/UDMsK2sui9I="),
        ]
        for (request, tokenSecret, signature) in cases {
            let key = "kd94hf93k423kf44&" + tokenSecret
            let computed = Base64.encode(HMAC.authenticationCode(.sha1, key: key, message: try Self.baseString(request)))
            #expect(computed == signature)
        }
    }

    /// RFC 5849 section 3.4.1.1's example request and its base string, including `+`, `%20`, `%253D`, a bare `c2` and the realm left out.
    @Test func baseStringMatchesSection3_4_1() throws {
        let request = HTTPRequest(
            method: "POST", url: RequestURL("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")!,
            headers: [("Host", "example.com"),
                      ("Content-Type", "application/x-www-form-urlencoded"),
                      ("Authorization", """
                       OAuth realm="Example",
                                     oauth_consumer_key="9djdj82h48djs9d2",
                                     oauth_token="kkk9d7dh3k39sjv7",
                                     oauth_signature_method="HMAC-SHA1",
                                     oauth_timestamp="137131201",
                                     oauth_nonce="7d8f3e4a",
                                     oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"
                       """)],
            body: Array("c2&a3=2+q".utf8))
        let parameters = try RequestParameters(request)
        #expect(parameters.realm == "Example")
        #expect(SignatureBaseString.baseStringURI(request.url) == "http://example.com/request")
        #expect(SignatureBaseString.normalizedParameters(parameters.signedParameters) == "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7")
        #expect(SignatureBaseString.make(request: request, parameters: parameters) == "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7")
    }

    /// Section 3.4.1.2's examples of base string URIs: default port dropped, case of scheme and host lowered, `%20` in the path kept.
    @Test func baseStringURIExamplesOfSection3_4_1_2() {
        #expect(SignatureBaseString.baseStringURI(RequestURL("HTTP://EXAMPLE.COM:80/r%20v/X?id=123")!) == "http://example.com/r%20v/X")
        #expect(SignatureBaseString.baseStringURI(RequestURL("https://www.example.net:8080/?q=1")!) == "https://www.example.net:8080/")
        #expect(SignatureBaseString.baseStringURI(RequestURL("https://www.example.net:443/")!) == "https://www.example.net/")
    }

    /// The whole section 1.2 flow through the endpoints: the RFC's requests, with the RFC's credentials issued, verify and succeed.
    @Test func section1_2FlowRunsThroughTheEndpoints() throws {
        let tokens = TokenScript([("hh5s93j4hdidpola", "hdhd0244k9j7ao03"), ("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00")])
        let provider = TestProvider(
            now: 137_131_200,
            configure: { $0.verifierLength = 16; $0.allowsInsecureTransport = true },
            random: ScriptedRandom(ScriptedRandom.bytes(spelling: "hfdp7dh39dks9884")),
            tokenGenerator: tokens.generator)

        let first = provider.server.createTemporaryCredentialResponse(Self.initiate)
        #expect(first.status == 200)
        #expect(first.bodyText == "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true")
        #expect(first.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(first.headers["Cache-Control"] == "no-store")

        let consent = try provider.server.checkAuthorizationRequest(token: "hh5s93j4hdidpola")
        #expect(consent.clientName == "Printer")
        #expect(consent.callbackHost == "printer.example.com")
        let decision = try provider.server.authorize(token: "hh5s93j4hdidpola", userID: "jane")
        #expect(decision == .redirect("http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&oauth_verifier=hfdp7dh39dks9884"))

        provider.clock.set(137_131_201)
        let second = provider.server.createTokenResponse(Self.token)
        #expect(second.status == 200)
        #expect(second.bodyText == "oauth_token=nnch734d00sl2jdk&oauth_token_secret=pfkkdhi9sl3r4s00")

        provider.clock.set(137_131_202)
        let credential = try provider.protector.validateRequest(Self.photos)
        #expect(credential.userID == "jane")
        #expect(credential.client.identifier == "dpf43f3p2l4k3l03")

        expectOAuthError(.nonceUsed) { try provider.protector.validateRequest(Self.photos) }
    }
}
