import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Testing

/// A `%` not followed by two hexadecimal digits is malformed (RFC 3986 section 2.1, which RFC 5849 section 3.6 builds on):
/// wherever the application decodes a query string, a form body or an Authorization header, such input gets a 400 that
/// says so, never a silent fallback, a 500 or a crash.
@Suite struct MalformedPercentEncodingTests {
    static let sentence = "not followed by two hexadecimal digits"

    func expectPage(_ response: HTTPResponse, mentioning part: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 400, "\(response.status) \(response.bodyText)", sourceLocation: sourceLocation)
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8", "a page answers with a page", sourceLocation: sourceLocation)
        #expect(response.bodyText.contains(part) && response.bodyText.contains(Self.sentence), "\(response.bodyText)",
                sourceLocation: sourceLocation)
    }

    @Test func pagesAnswerMalformedQueriesAndFormsWithA400Page() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_SIGNUP": "true"])
        let stores = try fixture.application.parts().stores
        let alice = try stores.users.create(username: "alice", password: "alice-password")
        let record = try stores.clients.register(name: "Printer", ownerUserID: alice.id)
        let cookie = try fixture.signIn("alice", "alice-password")

        expectPage(fixture.request("GET", "/login?next=%2Foauth%zz"), mentioning: "The query string")
        expectPage(fixture.request("GET", "/signup?next=%"), mentioning: "The query string")
        expectPage(fixture.request("POST", "/login", form: "username=al%4"), mentioning: "The form body")
        expectPage(fixture.request("POST", "/logout", cookie: cookie, form: "csrf_token=%G1"), mentioning: "The form body")
        expectPage(fixture.request("GET", "/developer/client?client_id=\(record.identifier)%", cookie: cookie), mentioning: "The query string")
        expectPage(fixture.request("GET", "/account/applications?revoked=%zz", cookie: cookie), mentioning: "The query string")
        expectPage(fixture.request("POST", "/authorize", cookie: cookie, form: "oauth_token=a%2&decision=approve"), mentioning: "The form body")
    }

    @Test(arguments: [("?oauth_callback=oob&x=%zz", nil, nil, "The query string"),
                      ("", "oauth_callback=oob&x=%4", nil, "The form-encoded body"),
                      ("", nil, "OAuth oauth_callback=\"oob\", oauth_nonce=\"n%G1\"", "The Authorization header parameter 'oauth_nonce'")])
    func oauthEndpointsRefuseMalformedEscapesInEveryLocation(_ query: String, _ body: String?, _ authorization: String?, _ part: String) throws {
        let fixture = try ApplicationTests.Fixture()
        var headers = HTTPHeaders([("Host", "provider.example:8080")])
        if body != nil { headers.add("Content-Type", "application/x-www-form-urlencoded") }
        if let authorization { headers.add("Authorization", authorization) }
        let target = "/oauth/initiate" + query
        let split = target.split(separator: "?", maxSplits: 1)
        let http = HTTPRequest(method: "POST", url: RequestURL(scheme: "http", host: "provider.example", port: 8080, rawPath: String(split[0]),
                                                               rawQuery: split.count > 1 ? String(split[1]) : nil),
                               headers: headers, body: Array((body ?? "").utf8))
        let response = fixture.application.handle(GatewayRequest(http: http, route: "/initiate", mountPath: "/oauth"))
        #expect(response.status == 400)
        let answer = try FormURLEncoding.parse(response.bodyText)
        #expect(answer.first == Parameter("oauth_problem", "parameter_rejected"), "\(response.bodyText)")
        let advice = answer.first { $0.name == "oauth_problem_advice" }?.value ?? ""
        #expect(advice.hasPrefix(part) && advice.contains(Self.sentence), "\(advice)")
    }

    /// The gate reads required scopes from its own query: a malformed one refuses the request instead of dropping the scope.
    @Test func gateRefusesAMalformedScopeQueryInsteadOfIgnoringIt() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_SUPPORTED_SIGNATURE_METHODS": "HMAC-SHA1,PLAINTEXT",
                                                              "OAUTH1_SCOPES": "photos.read=See your photos"])
        let stores = try fixture.application.parts().stores
        let alice = try stores.users.create(username: "alice", password: "alice-password")
        let client = try stores.clients.register(name: "Printer")
        try stores.tokenCredentials.save(TokenCredential(token: "tok", secret: "ts", clientIdentifier: client.identifier,
                                                         userID: String(alice.id), createdAt: 1_700_000_000))
        func gate(_ query: String) -> HTTPResponse {
            let authorization = "OAuth oauth_consumer_key=\"\(client.identifier)\", oauth_token=\"tok\", oauth_signature_method=\"PLAINTEXT\", "
                + "oauth_signature=\"\(client.secret)%26ts\", oauth_timestamp=\"\(Int(Date().timeIntervalSince1970))\", oauth_nonce=\"\(UUID().uuidString)\""
            let http = HTTPRequest(method: "GET", url: RequestURL(scheme: "http", host: "provider.example", port: 8080, rawPath: "/oauth/auth",
                                                                  rawQuery: query),
                                   headers: [("Host", "provider.example:8080"), ("X-Original-URI", "/photos/1"), ("Authorization", authorization)])
            return fixture.application.handle(GatewayRequest(http: http, route: "/auth", mountPath: "/oauth"))
        }
        #expect(gate("scope=photos.read").status == 403, "the token lacks the scope")
        let malformed = gate("scope=photos.read%")
        #expect(malformed.status == 401, "the gate answers 401 for every refusal but a missing scope")
        #expect(malformed.bodyText.hasPrefix("oauth_problem=parameter_rejected") && malformed.bodyText.contains("two%20hexadecimal%20digits"),
                "\(malformed.bodyText)")
    }
}
