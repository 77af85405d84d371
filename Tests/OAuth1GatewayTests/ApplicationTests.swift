import FileAndSQLiteStore
import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Testing

/// The application as a function from request to response, without a web server: templates, escaping, sessions, CSRF.
@Suite struct ApplicationTests {
    final class Fixture {
        let directory: String
        let application: Application
        init(settings: [String: String] = [:]) throws {
            var template = Array((NSTemporaryDirectory() + "/oauth1-app-XXXXXX").utf8CString)
            directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            var values = ["OAUTH1_DATA_DIR": directory + "/data", "OAUTH1_INSECURE_TRANSPORT": "true"]
            values.merge(settings) { $1 }
            application = Application(configuration: try AppConfiguration(ConfigurationSource(values: values, file: nil)))
        }
        deinit { try? FileManager.default.removeItem(atPath: directory) }

        /// `cookie` is a session cookie's value; `cookieHeader` a whole Cookie header (the sign-in form's cookie).
        func request(_ method: String, _ target: String, cookie: String? = nil, cookieHeader: String? = nil, form: String? = nil,
                     origin: String? = nil) -> HTTPResponse {
            var headers = HTTPHeaders([("Host", "provider.example:8080")])
            if let cookie { headers.add("Cookie", "oauth1_session=\(cookie)") }
            if let cookieHeader { headers.add("Cookie", cookieHeader) }
            if form != nil { headers.add("Content-Type", "application/x-www-form-urlencoded") }
            if let origin { headers.add("Origin", origin) }
            let parts = target.split(separator: "?", maxSplits: 1)
            let url = RequestURL(scheme: "http", host: "provider.example", port: 8080, rawPath: "/oauth" + parts[0],
                                 rawQuery: parts.count > 1 ? String(parts[1]) : nil)
            let http = HTTPRequest(method: method, url: url, headers: headers, body: Array((form ?? "").utf8))
            return application.handle(GatewayRequest(http: http, route: String(parts[0]), mountPath: "/oauth"))
        }

        /// The Cookie header that returns the sign-in or sign-up form's own cookie.
        static func formCookie(_ form: HTTPResponse) throws -> String {
            try #require(form.headers.values(for: "Set-Cookie").first?.firstMatch(of: /^(oauth1_form=[^;]+)/)?.1).description
        }

        /// Signs in through the real login form and returns the session cookie value.
        func signIn(_ username: String, _ password: String) throws -> String {
            let form = request("GET", "/login")
            let csrf = try #require(form.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
            let answer = request("POST", "/login", cookieHeader: try Self.formCookie(form),
                                 form: "csrf_token=\(csrf)&username=\(username)&password=\(password)&next=%2Foauth%2F")
            #expect(answer.status == 303)
            return try #require(answer.headers.values(for: "Set-Cookie").first?.firstMatch(of: /oauth1_session=([^;]+)/)?.1).description
        }
    }

    @Test func templatesAreOverriddenOneByOne() throws {
        let overrides = NSTemporaryDirectory() + "/oauth1-templates-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: overrides, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: overrides) }
        try "{{> header}}<p id=custom>Welcome to {{siteName}}</p>{{> footer}}".write(toFile: overrides + "/login.mustache", atomically: true, encoding: .utf8)
        let fixture = try Fixture(settings: ["OAUTH1_TEMPLATES": overrides, "OAUTH1_SITE_NAME": "Example <Photos>"])
        let page = fixture.request("GET", "/login")
        #expect(page.status == 200)
        #expect(page.bodyText.contains("<p id=custom>Welcome to Example &lt;Photos&gt;</p>"))
        #expect(page.bodyText.contains("<!doctype html>"), "the shipped header is still used")
    }

    @Test func aBrokenOverrideIsReportedWithItsFileAndLine() throws {
        let overrides = NSTemporaryDirectory() + "/oauth1-templates-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: overrides, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: overrides) }
        try "{{> header}}\n{{#error}}<p>{{error}}</p>\n{{> footer}}".write(toFile: overrides + "/login.mustache", atomically: true, encoding: .utf8)
        let pages = Pages(overrideDirectory: overrides, siteName: "Example")
        let error = #expect(throws: TemplateError.self) { try pages.load() }
        #expect(error?.message == "\(overrides)/login.mustache does not parse: line 2: the section 'error' is never closed")
        let page = pages.render("login", [:])
        #expect(page.status == 503)
    }

    @Test func consentPageEscapesWhatClientsControl() throws {
        let fixture = try Fixture()
        let stores = try fixture.application.parts().stores
        let user = try stores.users.create(username: "alice", password: "alice-password")
        try stores.clients.register(name: "<script>alert(1)</script>", identifier: "evil", secret: "s")
        try stores.temporaryCredentials.save(TemporaryCredential(token: "tok", secret: "s", clientIdentifier: "evil",
                                                                 callback: "https://evil.example/cb?x=\"><img>", expiresAt: 4_000_000_000))
        let cookie = try fixture.signIn(user.username, "alice-password")
        let page = fixture.request("GET", "/authorize?oauth_token=tok", cookie: cookie)
        #expect(page.status == 200)
        #expect(!page.bodyText.contains("<script>alert(1)"))
        #expect(page.bodyText.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.headers["X-Frame-Options"] == "DENY")
    }

    @Test func aReflectedUsernameCannotLeaveItsAttributeThroughACombiningMark() throws {
        // A quote followed by U+0301 is one Character to Swift; escaping by Character once left that quote raw.
        let fixture = try Fixture()
        let page = fixture.request("POST", "/login", form: "csrf_token=forged&username=x%22%CC%81%20autofocus&password=p")
        #expect(page.status == 403)
        let escaped = "value=\"x&quot;\u{301} autofocus\"", raw = "x\"\u{301}"
        #expect(page.bodyText.contains(escaped))
        #expect(!page.bodyText.contains(raw))
    }

    @Test func formsWithoutTheSessionsTokenOrFromAnotherOriginAreRefused() throws {
        let fixture = try Fixture()
        let stores = try fixture.application.parts().stores
        _ = try stores.users.create(username: "alice", password: "alice-password")
        try stores.clients.register(name: "Printer", identifier: "printer", secret: "s")
        try stores.temporaryCredentials.save(TemporaryCredential(token: "tok", secret: "s", clientIdentifier: "printer",
                                                                 callback: "oob", expiresAt: 4_000_000_000))
        let cookie = try fixture.signIn("alice", "alice-password")
        let page = fixture.request("GET", "/authorize?oauth_token=tok", cookie: cookie)
        let csrf = try #require(page.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)

        #expect(fixture.request("POST", "/authorize", cookie: cookie, form: "oauth_token=tok&decision=approve").status == 403)
        #expect(fixture.request("POST", "/authorize", cookie: cookie, form: "oauth_token=tok&decision=approve&csrf_token=wrong").status == 403)
        #expect(fixture.request("POST", "/authorize", cookie: cookie, form: "oauth_token=tok&decision=approve&csrf_token=\(csrf)",
                                origin: "https://evil.example").status == 403)
        #expect(fixture.request("POST", "/authorize", form: "oauth_token=tok&decision=approve&csrf_token=\(csrf)").status == 403)
        #expect(try stores.temporaryCredentials.temporaryCredential(token: "tok")?.isAuthorized == false)

        let approved = fixture.request("POST", "/authorize", cookie: cookie, form: "oauth_token=tok&decision=approve&csrf_token=\(csrf)",
                                       origin: "http://provider.example:8080")
        #expect(approved.status == 200)
        #expect(approved.bodyText.contains("id=\"verifier\""))
    }

    @Test func loginRotatesTheSessionAndLogoutEndsIt() throws {
        let fixture = try Fixture()
        _ = try fixture.application.parts().stores.users.create(username: "alice", password: "alice-password")
        let signedIn = try fixture.signIn("alice", "alice-password")
        #expect(try fixture.signIn("alice", "alice-password") != signedIn, "every sign-in starts a new session")
        let home = fixture.request("GET", "/", cookie: signedIn)
        #expect(home.status == 200 && home.bodyText.contains("alice"))
        let csrf = try #require(home.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
        #expect(fixture.request("POST", "/logout", cookie: signedIn, form: "csrf_token=\(csrf)").status == 200)
        #expect(fixture.request("GET", "/", cookie: signedIn).status == 303)

        let forged = String(signedIn.prefix(43)) + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        #expect(fixture.request("GET", "/", cookie: forged).status == 303)
        #expect(fixture.request("GET", "/", cookie: String(repeating: "x", count: 5000)).status == 303)
    }

    @Test func loginRefusesForeignRedirectTargets() {
        for next in ["https://evil.example/", "//evil.example/", "/\\evil.example", "/elsewhere", "javascript:alert(1)"] {
            #expect(BrowserRoutes.safeNext(next, mountPath: "/oauth") == nil, "\(next)")
        }
        #expect(BrowserRoutes.safeNext("/oauth/authorize?oauth_token=a", mountPath: "/oauth") == "/oauth/authorize?oauth_token=a")
        let longest = "/oauth/authorize?oauth_token=" + String(repeating: "a", count: BrowserRoutes.maximumNextLength - 29)
        #expect(BrowserRoutes.safeNext(longest, mountPath: "/oauth") == longest)
        #expect(BrowserRoutes.safeNext(longest + "a", mountPath: "/oauth") == nil)
    }

    /// A visitor who is not signed in is sent to the sign-in page with the authorization link in `next`; a link too long
    /// to fit a `Location` header the web server accepts (nginx answered 502 to it), or one the sign-in page would not
    /// go back to, is refused with a page instead.
    @Test func anAuthorizationLinkSignInCannotGoBackToIsRefusedWithAPage() throws {
        let fixture = try Fixture()
        let usual = fixture.request("GET", "/authorize?oauth_token=tok")
        #expect(usual.status == 303)
        #expect(usual.headers.values(for: "Location").first == "/oauth/login?next=%2Foauth%2Fauthorize%3Foauth_token%3Dtok")

        for token in [String(repeating: "A", count: 5000), "t%C3%B6k\u{7F}"] {
            let refused = fixture.request("GET", "/authorize?oauth_token=" + token)
            #expect(refused.status == 400, "\(token.prefix(20))")
            #expect(refused.headers.values(for: "Location").isEmpty)
            #expect(refused.bodyText.contains("This link cannot be followed after you sign in"))
            #expect(refused.bodyText.contains("at most \(BrowserRoutes.maximumNextLength) bytes"))
        }

        let login = fixture.request("GET", "/login?next=%2Foauth%2Fauthorize%3Foauth_token%3D" + String(repeating: "A", count: 5000))
        #expect(login.status == 200)
        #expect(login.bodyText.contains(#"name="next" value="/oauth/""#), "a next too long to redirect to is replaced by the home page")
    }

    @Test func wrongPasswordShowsTheFormAgain() throws {
        let fixture = try Fixture()
        _ = try fixture.application.parts().stores.users.create(username: "alice", password: "alice-password")
        let form = fixture.request("GET", "/login")
        let csrf = try #require(form.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
        let answer = fixture.request("POST", "/login", cookieHeader: try ApplicationTests.Fixture.formCookie(form), form: "csrf_token=\(csrf)&username=alice&password=nope&next=%2Foauth%2F")
        #expect(answer.status == 401)
        #expect(answer.bodyText.contains("Wrong username or password."))
        #expect(answer.bodyText.contains("value=\"alice\""))
    }
}

/// Failed sign-ins are limited per username and per address, with a sentence saying when to try again.
@Suite struct LoginThrottleTests {
    @Test func repeatedFailuresLockTheUsernameThenExpire() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_LOGIN_MAX_FAILURES": "3", "OAUTH1_LOGIN_LOCKOUT": "60"])
        _ = try fixture.application.parts().stores.users.create(username: "alice", password: "alice-password")
        func attempt(_ password: String) throws -> HTTPResponse {
            let form = fixture.request("GET", "/login")
            let csrf = try #require(form.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
            return fixture.request("POST", "/login", cookieHeader: try ApplicationTests.Fixture.formCookie(form), form: "csrf_token=\(csrf)&username=alice&password=\(password)&next=%2Foauth%2F")
        }
        for _ in 0..<3 { #expect(try attempt("wrong").status == 401) }
        let locked = try attempt("alice-password")
        #expect(locked.status == 429)
        #expect(locked.bodyText.contains("Try again in 60 seconds") || locked.bodyText.contains("Try again in 59 seconds"))
        #expect(locked.headers["Retry-After"] != nil)
    }
}

/// Connected applications: a user sees every client holding a token for them, and revokes any; the next request fails.
@Suite struct ConnectedApplicationsTests {
    @Test func userSeesAndRevokesAGrant() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_SCOPES": "photos.read=See your photos"])
        let stores = try fixture.application.parts().stores
        let alice = try stores.users.create(username: "alice", password: "alice-password")
        let bob = try stores.users.create(username: "bob", password: "bob-password")
        try stores.clients.register(name: "Photo Printer", identifier: "printer", secret: "s")
        try stores.tokenCredentials.save(TokenCredential(token: "alice-token", secret: "ts", clientIdentifier: "printer", userID: String(alice.id),
                                                         scopes: ["photos.read"], createdAt: 1_700_000_000))
        try stores.clients.register(name: "Other", identifier: "other", secret: "s")
        try stores.tokenCredentials.save(TokenCredential(token: "bob-token", secret: "ts", clientIdentifier: "other", userID: String(bob.id),
                                                         createdAt: 1_700_000_000))
        try stores.tokenCredentials.save(TokenCredential(token: "alice-token-2", secret: "ts", clientIdentifier: "printer", userID: String(alice.id),
                                                         createdAt: 1_700_000_100))
        let cookie = try fixture.signIn("alice", "alice-password")
        let page = fixture.request("GET", "/account/applications", cookie: cookie)
        #expect(page.status == 200)
        #expect(page.bodyText.contains("Photo Printer") && page.bodyText.contains("See your photos"))
        #expect(!page.bodyText.contains("alice-token"), "the page shows a handle, never the token")
        let handle = try #require(page.bodyText.firstMatch(of: /name="credential" value="([0-9a-f]+)"/)?.1)
        let csrf = try #require(page.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)

        #expect(fixture.request("POST", "/account/applications/revoke", cookie: cookie, form: "credential=\(handle)").status == 403)
        #expect(page.bodyText.components(separatedBy: "Photo Printer").count == 2, "one row per client")
        #expect(page.bodyText.contains("2 grants"))
        let bobHandle = AccountRoutes.handle("other")
        #expect(fixture.request("POST", "/account/applications/revoke", cookie: cookie, form: "csrf_token=\(csrf)&credential=\(bobHandle)").status == 404)
        #expect(try stores.tokenCredentials.tokenCredential(token: "bob-token")?.isRevoked == false)

        let revoked = fixture.request("POST", "/account/applications/revoke", cookie: cookie, form: "csrf_token=\(csrf)&credential=\(handle)")
        #expect(revoked.status == 303)
        #expect(try stores.tokenCredentials.tokenCredential(token: "alice-token")?.isRevoked == true)
        #expect(try stores.tokenCredentials.tokenCredential(token: "alice-token-2")?.isRevoked == true)
        let after = fixture.request("GET", "/account/applications?revoked=1", cookie: cookie)
        #expect(after.bodyText.contains("No application has access") && after.bodyText.contains("Access revoked"))
        #expect(fixture.request("GET", "/account/applications").status == 303)
    }
}

/// Sign-up, REMOTE_USER and a scope required by GET /user.
@Suite struct AccountOptionsTests {
    @Test func signupIsClosedByDefaultAndCreatesASignedInUserWhenOpen() throws {
        let closed = try ApplicationTests.Fixture()
        #expect(closed.request("GET", "/signup").status == 404)

        let open = try ApplicationTests.Fixture(settings: ["OAUTH1_SIGNUP": "true"])
        func submit(_ username: String, _ password: String, _ confirm: String) throws -> HTTPResponse {
            let form = open.request("GET", "/signup")
            let csrf = try #require(form.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
            return open.request("POST", "/signup", cookieHeader: try ApplicationTests.Fixture.formCookie(form),
                                form: "csrf_token=\(csrf)&username=\(username)&password=\(password)&confirm=\(confirm)&next=%2Foauth%2F")
        }
        #expect(open.request("GET", "/login").bodyText.contains("/oauth/signup"))
        #expect(try submit("dave", "long-password", "other-password").status == 400)
        let created = try submit("dave", "long-password", "long-password")
        #expect(created.status == 303)
        let cookie = try #require(created.headers.values(for: "Set-Cookie").first?.firstMatch(of: /oauth1_session=([^;]+)/)?.1)
        #expect(open.request("GET", "/", cookie: String(cookie)).bodyText.contains("dave"))
        let taken = try submit("dave", "long-password", "long-password")
        #expect(taken.status == 400 && taken.bodyText.contains("is taken"))
    }

    @Test func remoteUserIsSignedInWithoutASecondLogin() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_TRUST_REMOTE_USER": "true"])
        func get(_ target: String, remoteUser: String?, cookie: String? = nil) -> HTTPResponse {
            var headers = HTTPHeaders([("Host", "provider.example:8080")])
            if let cookie { headers.add("Cookie", "oauth1_session=\(cookie)") }
            let http = HTTPRequest(method: "GET", url: RequestURL(scheme: "http", host: "provider.example", port: 8080, rawPath: "/oauth" + target),
                                   headers: headers, remoteUser: remoteUser)
            return fixture.application.handle(GatewayRequest(http: http, route: target, mountPath: "/oauth"))
        }
        #expect(get("/", remoteUser: nil).status == 303)
        let first = get("/", remoteUser: "carol")
        #expect(first.status == 303 && first.headers["Location"] == "/oauth/")
        let cookie = try #require(first.headers.values(for: "Set-Cookie").first?.firstMatch(of: /oauth1_session=([^;]+)/)?.1).description
        let home = get("/", remoteUser: "carol", cookie: cookie)
        #expect(home.status == 200 && home.bodyText.contains("carol"))
        #expect(try fixture.application.parts().stores.users.user(username: "carol") != nil)
        #expect(try fixture.application.parts().stores.users.authenticate(username: "carol", password: "external") == nil)
        let switched = get("/", remoteUser: "erin", cookie: cookie)
        #expect(switched.status == 303, "a session never outlives a change of REMOTE_USER")
        #expect(get("/", remoteUser: "bad user!").status == 403)
    }

    @Test func userResourceCanRequireAScope() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_SCOPES": "profile=See your profile;photos=See your photos",
                                                              "OAUTH1_USER_SCOPE": "profile"])
        let stores = try fixture.application.parts().stores
        let alice = try stores.users.create(username: "alice", password: "alice-password")
        try stores.clients.register(name: "Printer", identifier: "printer", secret: "printer-secret")
        try stores.tokenCredentials.save(TokenCredential(token: "with-scope", secret: "s1", clientIdentifier: "printer", userID: String(alice.id),
                                                         scopes: ["profile"], createdAt: 1_700_000_000))
        try stores.tokenCredentials.save(TokenCredential(token: "without", secret: "s2", clientIdentifier: "printer", userID: String(alice.id),
                                                         scopes: ["photos"], createdAt: 1_700_000_000))
        func get(token: (String, String)) throws -> HTTPResponse {
            let authorization = try OAuthlibSigner.authorizationHeader(url: "http://provider.example:8080/oauth/user", method: "GET",
                                                                       clientID: "printer", clientSecret: "printer-secret", token: token)
            let http = HTTPRequest(method: "GET", url: RequestURL(scheme: "http", host: "provider.example", port: 8080, rawPath: "/oauth/user"),
                                   headers: [("Host", "provider.example:8080"), ("Authorization", authorization)])
            return fixture.application.handle(GatewayRequest(http: http, route: "/user", mountPath: "/oauth"))
        }
        let allowed = try get(token: ("with-scope", "s1"))
        #expect(allowed.status == 200 && allowed.bodyText.contains("\"username\": \"alice\""), "\(allowed.bodyText)")
        let refused = try get(token: ("without", "s2"))
        #expect(refused.status == 403 && refused.bodyText.hasPrefix("oauth_problem=permission_denied"), "\(refused.bodyText)")
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(ConfigurationSource(values: ["OAUTH1_USER_SCOPE": "admin"], file: nil))
        }
    }
}
