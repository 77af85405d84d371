import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Testing

/// The audit trail of a whole flow, through the application and the CLI: each event once, in order, with user, client
/// and address, and no secret, password or whole token anywhere in the file.
@Suite struct AuditTrailTests {
    @Test func aFlowAndARevocationLeaveOneLineEachAndNoSecret() throws {
        let directory = NSTemporaryDirectory() + "/oauth1-audit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trail = directory + "/audit.log"
        let settings = ["OAUTH1_SUPPORTED_SIGNATURE_METHODS": "HMAC-SHA1,PLAINTEXT", "OAUTH1_AUDIT_LOG": trail]
        let fixture = try ApplicationTests.Fixture(settings: settings)
        let flow = OutOfBandFlowTests()
        let stores = try fixture.application.parts().stores
        let alice = try stores.users.create(username: "alice", password: "alice-password")
        let record = try stores.clients.register(name: "Desk App", callbackURIs: ["https://app.example/cb"])
        let client = (identifier: record.identifier, secret: record.secret)

        // A failed sign-in, then a flow.
        let form = fixture.request("GET", "/login")
        let formCSRF = try #require(form.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
        let failed = fixture.request("POST", "/login", cookieHeader: try ApplicationTests.Fixture.formCookie(form),
                                     form: "csrf_token=\(formCSRF)&username=alice&password=wrong-password-typed&next=%2Foauth%2F")
        #expect(failed.status == 401)
        let initiated = flow.signed(fixture, "POST", "/initiate", authorization: flow.header(client, extra: [("oauth_callback", "oob")]))
        let temporary = Dictionary(uniqueKeysWithValues: try FormURLEncoding.parse(initiated.bodyText).map { ($0.name, $0.value) })
        let (token, secret) = (try #require(temporary["oauth_token"]), try #require(temporary["oauth_token_secret"]))
        let cookie = try fixture.signIn("alice", "alice-password")
        let consent = fixture.request("GET", "/authorize?oauth_token=\(token)", cookie: cookie)
        let csrf = try #require(consent.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
        let approved = fixture.request("POST", "/authorize", cookie: cookie, form: "oauth_token=\(token)&decision=approve&csrf_token=\(csrf)")
        let verifier = String(try #require(approved.bodyText.firstMatch(of: /<code id="verifier">([A-Za-z0-9]+)<\/code>/)?.1))
        let exchanged = flow.signed(fixture, "POST", "/token", authorization: flow.header(client, token: (token, secret),
                                                                                          extra: [("oauth_verifier", verifier)]))
        #expect(exchanged.status == 200, "\(exchanged.bodyText)")
        let credential = Dictionary(uniqueKeysWithValues: try FormURLEncoding.parse(exchanged.bodyText).map { ($0.name, $0.value) })
        let issued = try #require(credential["oauth_token"])

        // The administrator revokes it from the command line.
        let cli = ProviderData(dataDirectory: fixture.directory + "/data", settings: settings)
        let revoked = try cli.cli(["token", "revoke", issued])
        #expect(revoked.status == 0, "\(revoked.stderr)")

        let text = try String(contentsOfFile: trail, encoding: .utf8)
        let lines = try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "not JSON: \(line)")
        }
        #expect(lines.map { $0["event"] ?? "" } == ["sign_in_failed", "sign_in", "consent_granted", "token_issued", "token_revoked"])
        #expect(lines[0]["user"] == String(alice.id), "a failed sign-in for an existing account names it")
        #expect(lines[2]["client"] == client.identifier && lines[2]["user"] == String(alice.id))
        #expect(lines[3]["client"] == client.identifier && lines[3]["token_fingerprint"] == AuditLog.fingerprint(token: issued))
        #expect(lines[4]["address"] == "cli" && lines[4]["token_fingerprint"] == AuditLog.fingerprint(token: issued))
        #expect(lines.allSatisfy { $0["time"]?.hasSuffix("Z") == true })
        for secretText in ["alice-password", "wrong-password-typed", client.secret, secret, verifier, issued,
                           try #require(credential["oauth_token_secret"]), token] {
            #expect(!text.contains(secretText), "the trail holds \(secretText)")
        }
    }
}
