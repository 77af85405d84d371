import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Testing

/// Every page shown to a signed-in user carries the same navigation (developer portal, connected applications, account,
/// sign out with the session's CSRF token); pages for a signed-out visitor carry none of it.
@Suite struct PageNavigationTests {
    typealias Fixture = ApplicationTests.Fixture

    /// The navigation block of a page, or nil.
    static func navigation(_ page: HTTPResponse) -> String? {
        guard let start = page.bodyText.range(of: "<nav class=\"account\""), let end = page.bodyText.range(of: "</nav>", range: start.upperBound..<page.bodyText.endIndex) else {
            return nil
        }
        return String(page.bodyText[start.lowerBound..<end.upperBound])
    }

    static func expectNavigation(_ page: HTTPResponse, csrf: String, _ name: String) {
        #expect(page.status == 200, "\(name): \(page.status) \(page.bodyText)")
        guard let nav = navigation(page) else {
            Issue.record("\(name) has no navigation")
            return
        }
        #expect(nav.contains("<a href=\"/oauth/developer\">Your applications</a>"), "\(name): \(nav)")
        #expect(nav.contains("<a href=\"/oauth/account/applications\">Connected applications</a>"), "\(name)")
        #expect(nav.contains("<a href=\"/oauth/\">Account</a>"), "\(name)")
        #expect(nav.contains("<form method=\"post\" action=\"/oauth/logout\"><input type=\"hidden\" name=\"csrf_token\" value=\"\(csrf)\">"
                             + "<button type=\"submit\">Sign out</button></form>"), "\(name): \(nav)")
    }

    static func csrf(_ page: HTTPResponse) throws -> String {
        String(try #require(page.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1))
    }

    @Test func everySignedInPageHasTheNavigation() throws {
        let fixture = try Fixture()
        let stores = try fixture.application.parts().stores
        _ = try stores.users.create(username: "alice", password: "alice-password")
        let cookie = try fixture.signIn("alice", "alice-password")
        let home = fixture.request("GET", "/", cookie: cookie)
        let token = try Self.csrf(home)
        Self.expectNavigation(home, csrf: token, "home")

        for target in ["/developer", "/developer/new", "/account/applications", "/account/password"] {
            Self.expectNavigation(fixture.request("GET", target, cookie: cookie), csrf: token, target)
        }
        let registered = fixture.request("POST", "/developer/new", cookie: cookie, form: "csrf_token=\(token)&name=Printer&callbacks=oob")
        Self.expectNavigation(registered, csrf: token, "the new secret")
        let identifier = try #require(try stores.clients.all(ownerUserID: 1).first?.identifier)
        Self.expectNavigation(fixture.request("GET", "/developer/client?client_id=\(identifier)", cookie: cookie), csrf: token, "a client")
        Self.expectNavigation(fixture.request("POST", "/developer/client/rotate", cookie: cookie, form: "csrf_token=\(token)&client_id=\(identifier)"),
                              csrf: token, "the rotated secret")

        for (decision, name) in [("approve", "the verifier"), ("deny", "the denial")] {
            let temporary = "tok-" + decision
            try stores.temporaryCredentials.save(TemporaryCredential(token: temporary, secret: "s", clientIdentifier: identifier,
                                                                     callback: "oob", expiresAt: 4_000_000_000))
            Self.expectNavigation(fixture.request("GET", "/authorize?oauth_token=\(temporary)", cookie: cookie), csrf: token, "consent")
            Self.expectNavigation(fixture.request("POST", "/authorize", cookie: cookie, form: "oauth_token=\(temporary)&decision=\(decision)&csrf_token=\(token)"),
                                  csrf: token, name)
        }

        // A new password ends every session and starts a new one: the page's sign-out form carries the new session's token.
        let changed = fixture.request("POST", "/account/password", cookie: cookie,
                                      form: "csrf_token=\(token)&current=alice-password&password=another-password-1&confirm=another-password-1")
        let fresh = try #require(changed.headers.values(for: "Set-Cookie").first?.firstMatch(of: /oauth1_session=([^;]+)/)?.1).description
        let freshToken = try Self.csrf(fixture.request("GET", "/", cookie: fresh))
        #expect(freshToken != token)
        Self.expectNavigation(changed, csrf: freshToken, "password changed")
    }

    @Test func signedOutPagesHaveNone() throws {
        let fixture = try Fixture(settings: ["OAUTH1_SIGNUP": "true"])
        _ = try fixture.application.parts().stores.users.create(username: "alice", password: "alice-password")
        #expect(Self.navigation(fixture.request("GET", "/login")) == nil)
        #expect(Self.navigation(fixture.request("GET", "/signup")) == nil)
        let cookie = try fixture.signIn("alice", "alice-password")
        let token = try Self.csrf(fixture.request("GET", "/", cookie: cookie))
        let out = fixture.request("POST", "/logout", cookie: cookie, form: "csrf_token=\(token)")
        #expect(out.status == 200 && Self.navigation(out) == nil, "the signed-out page: \(out.bodyText)")
    }
}
