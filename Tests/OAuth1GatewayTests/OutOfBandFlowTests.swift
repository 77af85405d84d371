import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Testing

/// The out-of-band flow of RFC 5849 section 2.1 through the application's routes: a client that registered callback URIs
/// initiates with `oob`, the user approves, the page shows the verifier, and the client exchanges it for a token credential.
@Suite struct OutOfBandFlowTests {
    typealias ClientCredentials = (identifier: String, secret: String)

    /// A PLAINTEXT `Authorization` header: the signature is the secrets themselves, so no signing code of ours is involved.
    func header(_ client: ClientCredentials, token: (String, String)? = nil, extra: [(String, String)] = []) -> String {
        var fields = [("oauth_consumer_key", client.identifier), ("oauth_signature_method", "PLAINTEXT"),
                      ("oauth_signature", PercentEncoding.encode(client.secret) + "&" + PercentEncoding.encode(token?.1 ?? "")),
                      ("oauth_timestamp", String(Int(Date().timeIntervalSince1970))), ("oauth_nonce", UUID().uuidString)]
        if let token { fields.append(("oauth_token", token.0)) }
        fields += extra
        return "OAuth " + fields.map { "\($0.0)=\"\(PercentEncoding.encode($0.1))\"" }.joined(separator: ", ")
    }

    func signed(_ fixture: ApplicationTests.Fixture, _ method: String, _ route: String, authorization: String) -> HTTPResponse {
        let http = HTTPRequest(method: method, url: RequestURL(scheme: "http", host: "provider.example", port: 8080, rawPath: "/oauth" + route),
                               headers: [("Host", "provider.example:8080"), ("Authorization", authorization)])
        return fixture.application.handle(GatewayRequest(http: http, route: route, mountPath: "/oauth"))
    }

    @Test func clientWithRegisteredCallbacksCompletesAnOutOfBandFlow() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_SUPPORTED_SIGNATURE_METHODS": "HMAC-SHA1,PLAINTEXT"])
        let stores = try fixture.application.parts().stores
        _ = try stores.users.create(username: "alice", password: "alice-password")
        let record = try stores.clients.register(name: "Desk App", callbackURIs: ["https://app.example/cb"])
        let client: ClientCredentials = (record.identifier, record.secret)

        let initiated = signed(fixture, "POST", "/initiate", authorization: header(client, extra: [("oauth_callback", "oob")]))
        #expect(initiated.status == 200, "\(initiated.bodyText)")
        let temporary = Dictionary(uniqueKeysWithValues: try FormURLEncoding.parse(initiated.bodyText).map { ($0.name, $0.value) })
        let token = try #require(temporary["oauth_token"])
        let secret = try #require(temporary["oauth_token_secret"])

        let cookie = try fixture.signIn("alice", "alice-password")
        let consent = fixture.request("GET", "/authorize?oauth_token=\(token)", cookie: cookie)
        #expect(consent.status == 200 && consent.bodyText.contains("this page shows a code"), "\(consent.bodyText)")
        let csrf = try #require(consent.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
        let approved = fixture.request("POST", "/authorize", cookie: cookie, form: "oauth_token=\(token)&decision=approve&csrf_token=\(csrf)")
        #expect(approved.status == 200, "the verifier is shown, not sent by redirect")
        let verifier = try #require(approved.bodyText.firstMatch(of: /<code id="verifier">([A-Za-z0-9]+)<\/code>/)?.1)

        let exchanged = signed(fixture, "POST", "/token", authorization: header(client, token: (token, secret),
                                                                                extra: [("oauth_verifier", String(verifier))]))
        #expect(exchanged.status == 200, "\(exchanged.bodyText)")
        let credential = Dictionary(uniqueKeysWithValues: try FormURLEncoding.parse(exchanged.bodyText).map { ($0.name, $0.value) })
        let user = signed(fixture, "GET", "/user", authorization: header(client, token: (try #require(credential["oauth_token"]),
                                                                                       try #require(credential["oauth_token_secret"]))))
        #expect(user.status == 200 && user.bodyText.contains("\"username\": \"alice\""), "\(user.bodyText)")
    }
}
