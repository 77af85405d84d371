import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Testing

/// The account pages' password change (current password required; every other session ended) and "sign out everywhere".
@Suite struct AccountPasswordTests {
    func csrf(_ page: HTTPResponse) throws -> String {
        String(try #require(page.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1))
    }

    func isSignedIn(_ fixture: ApplicationTests.Fixture, _ cookie: String) -> Bool {
        fixture.request("GET", "/", cookie: cookie).status == 200
    }

    @Test func changingThePasswordNeedsTheCurrentOneAndEndsEveryOtherSession() throws {
        let fixture = try ApplicationTests.Fixture()
        _ = try fixture.application.parts().stores.users.create(username: "alice", password: "old-password-1")
        let here = try fixture.signIn("alice", "old-password-1")
        let elsewhere = try fixture.signIn("alice", "old-password-1")
        let form = fixture.request("GET", "/account/password", cookie: here)
        #expect(form.status == 200 && form.bodyText.contains("Current password"))
        let token = try csrf(form)
        func change(_ body: String) -> HTTPResponse {
            fixture.request("POST", "/account/password", cookie: here, form: "csrf_token=\(token)&" + body)
        }

        #expect(fixture.request("POST", "/account/password", cookie: here, form: "current=old-password-1&password=new-password-2&confirm=new-password-2").status == 403)
        let wrong = change("current=guess&password=new-password-2&confirm=new-password-2")
        #expect(wrong.status == 401 && wrong.bodyText.contains("Your current password is not right."))
        let differ = change("current=old-password-1&password=new-password-2&confirm=new-password-3")
        #expect(differ.status == 400 && differ.bodyText.contains("differ"))
        let short = change("current=old-password-1&password=short&confirm=short")
        #expect(short.status == 400, "\(short.bodyText)")
        #expect(isSignedIn(fixture, elsewhere), "nothing changed yet")

        let changed = change("current=old-password-1&password=new-password-2&confirm=new-password-2")
        #expect(changed.status == 200 && changed.bodyText.contains("Password changed"), "\(changed.bodyText)")
        let fresh = try #require(changed.headers.values(for: "Set-Cookie").first?.firstMatch(of: /oauth1_session=([^;]+)/)?.1)
        #expect(isSignedIn(fixture, String(fresh)))
        #expect(!isSignedIn(fixture, elsewhere), "the other browser is signed out")
        #expect(!isSignedIn(fixture, here), "this browser's old session ended too; it has a new one")
        let stores = try fixture.application.parts().stores
        #expect(try stores.users.authenticate(username: "alice", password: "new-password-2") != nil)
        #expect(try stores.users.authenticate(username: "alice", password: "old-password-1") == nil)
    }

    @Test func signingOutEverywhereEndsEverySessionOfTheUserOnly() throws {
        let fixture = try ApplicationTests.Fixture()
        let stores = try fixture.application.parts().stores
        _ = try stores.users.create(username: "alice", password: "alice-password")
        _ = try stores.users.create(username: "bob", password: "bob-password")
        let here = try fixture.signIn("alice", "alice-password")
        let elsewhere = try fixture.signIn("alice", "alice-password")
        let bob = try fixture.signIn("bob", "bob-password")
        let home = fixture.request("GET", "/", cookie: here)
        #expect(home.bodyText.contains("Sign out everywhere"))
        #expect(fixture.request("POST", "/account/sessions/revoke", cookie: here, form: "csrf_token=forged").status == 403)
        #expect(isSignedIn(fixture, elsewhere))

        let out = fixture.request("POST", "/account/sessions/revoke", cookie: here, form: "csrf_token=\(try csrf(home))")
        #expect(out.status == 200 && out.bodyText.contains("on every browser and device"))
        #expect(!isSignedIn(fixture, here) && !isSignedIn(fixture, elsewhere))
        #expect(isSignedIn(fixture, bob), "another user's session stays")
    }
}
