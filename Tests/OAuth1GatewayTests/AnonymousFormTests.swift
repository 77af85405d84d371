import FileAndSQLiteStore
import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Synchronization
import Testing

/// The sign-in and sign-up forms carry their CSRF token in a signed cookie of their own: showing them stores nothing, and a
/// post whose cookie is missing, tampered, expired or another visitor's is refused with a sentence.
@Suite struct AnonymousFormTests {
    /// A clock the test moves forward.
    final class MovableClock: EpochClock {
        private let seconds = Mutex<Int64>(1_800_000_000)
        func now() -> Int64 { seconds.withLock { $0 } }
        func advance(_ by: Int64) { seconds.withLock { $0 += by } }
    }

    /// The cookies a browser keeps for the provider: set and deleted by Set-Cookie, sent back in one Cookie header.
    struct Jar {
        var cookies: [(name: String, value: String)] = []
        var header: String? { cookies.isEmpty ? nil : cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") }

        mutating func take(_ response: HTTPResponse) {
            for line in response.headers.values(for: "Set-Cookie") {
                let pair = line.split(separator: ";", maxSplits: 1)[0]
                let name = String(pair.prefix { $0 != "=" })
                let value = String(pair.dropFirst(name.count + 1))
                cookies.removeAll { $0.name == name }
                if !line.contains("Max-Age=0") { cookies.append((name, value)) }
            }
        }
    }

    final class Fixture {
        let directory: String
        let application: Application
        let clock = MovableClock()
        let scheme: String
        let mountPath: String

        init(settings: [String: String] = [:], scheme: String = "http", mountPath: String = "/oauth") throws {
            var template = Array((NSTemporaryDirectory() + "/oauth1-anon-XXXXXX").utf8CString)
            directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            var values = ["OAUTH1_DATA_DIR": directory + "/data", "OAUTH1_INSECURE_TRANSPORT": "true"]
            values.merge(settings) { $1 }
            application = Application(configuration: try AppConfiguration(ConfigurationSource(values: values, file: nil)), clock: clock)
            self.scheme = scheme
            self.mountPath = mountPath
        }
        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func request(_ method: String, _ route: String, cookie: String? = nil, form: String? = nil) -> HTTPResponse {
            var headers = HTTPHeaders([("Host", "provider.example")])
            if let cookie { headers.add("Cookie", cookie) }
            if form != nil { headers.add("Content-Type", "application/x-www-form-urlencoded") }
            let parts = route.split(separator: "?", maxSplits: 1)
            let url = RequestURL(scheme: scheme, host: "provider.example", rawPath: mountPath + parts[0],
                                 rawQuery: parts.count > 1 ? String(parts[1]) : nil)
            let http = HTTPRequest(method: method, url: url, headers: headers, body: Array((form ?? "").utf8))
            return application.handle(GatewayRequest(http: http, route: String(parts[0]), mountPath: mountPath))
        }

        /// A browser's visit: the response's cookies go into the jar.
        func visit(_ method: String, _ route: String, _ jar: inout Jar, form: String? = nil) -> HTTPResponse {
            let response = request(method, route, cookie: jar.header, form: form)
            jar.take(response)
            return response
        }

        /// Rows in the sessions table, read from the database file.
        func sessionRows() throws -> Int64 {
            let database = try SQLiteDatabase(path: directory + "/data/" + SQLiteStores.databaseFileName)
            return try database.read { try $0.query("SELECT count(*) FROM sessions").first?.integer(0) } ?? -1
        }
    }

    static func csrfField(_ page: HTTPResponse) throws -> String {
        try #require(page.bodyText.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1).description
    }

    static let refusal = "Your sign-in form expired or came from another site. Please try again."

    @Test func showingTheSignInAndSignUpFormsStoresNothing() throws {
        let fixture = try Fixture(settings: ["OAUTH1_SIGNUP": "true"])
        _ = try fixture.application.parts().stores.users.create(username: "alice", password: "alice-password")
        let before = try fixture.sessionRows()
        var jar = Jar()
        for _ in 0..<3 { #expect(fixture.visit("GET", "/login", &jar).status == 200) }
        for _ in 0..<50 { #expect(fixture.request("GET", "/login").status == 200) }
        for _ in 0..<10 { #expect(fixture.request("GET", "/signup").status == 200) }
        #expect(try fixture.sessionRows() == before, "GET /login and GET /signup write no row")
        #expect(!jar.cookies.contains { $0.name == Sessions.cookieName }, "an anonymous visitor gets no session cookie")
        #expect(!jar.cookies.isEmpty, "the form's token travels in a cookie of its own")
    }

    @Test func signInWithTheAnonymousTokenStartsTheOnlySessionAndDropsTheFormCookie() throws {
        let fixture = try Fixture()
        _ = try fixture.application.parts().stores.users.create(username: "alice", password: "alice-password")
        var jar = Jar()
        let form = fixture.visit("GET", "/login", &jar)
        let formCookies = jar.cookies.map(\.name)
        let wrong = fixture.visit("POST", "/login", &jar, form: "csrf_token=\(try Self.csrfField(form))&username=alice&password=nope")
        #expect(wrong.status == 401 && wrong.bodyText.contains("Wrong username or password."))
        #expect(try fixture.sessionRows() == 0, "a failed sign-in stores no session either")
        let answer = fixture.visit("POST", "/login", &jar,
                                   form: "csrf_token=\(try Self.csrfField(wrong))&username=alice&password=alice-password&next=%2Foauth%2F")
        #expect(answer.status == 303 && answer.headers["Location"] == "/oauth/")
        #expect(try fixture.sessionRows() == 1)
        #expect(jar.cookies.map(\.name) == [Sessions.cookieName], "the form's cookie \(formCookies) is replaced by the session's")
        let home = fixture.visit("GET", "/", &jar)
        #expect(home.status == 200 && home.bodyText.contains("alice"))
        #expect(try Self.csrfField(home) != Self.csrfField(form), "signed in, forms carry the session's own token")
    }

    @Test func missingTamperedExpiredOrAnotherVisitorsTokenIsRefused() throws {
        let fixture = try Fixture()
        _ = try fixture.application.parts().stores.users.create(username: "alice", password: "alice-password")
        var mine = Jar(), theirs = Jar()
        let myField = try Self.csrfField(fixture.visit("GET", "/login", &mine))
        let theirField = try Self.csrfField(fixture.visit("GET", "/login", &theirs))
        let myCookie = try #require(mine.header)
        let credentials = "&username=alice&password=alice-password"
        func post(cookie: String?, field: String?) -> HTTPResponse {
            fixture.request("POST", "/login", cookie: cookie, form: (field.map { "csrf_token=\($0)" } ?? "next=%2Foauth%2F") + credentials)
        }
        func tampered(_ text: String, at offset: Int) -> String {
            var bytes = Array(text.utf8)
            let index = offset >= 0 ? offset : bytes.count + offset
            bytes[index] = bytes[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            return String(decoding: bytes, as: UTF8.self)
        }
        let refused: [(String, HTTPResponse)] = [
            ("no cookie", post(cookie: nil, field: myField)),
            ("no field", post(cookie: myCookie, field: nil)),
            ("another visitor's field", post(cookie: myCookie, field: theirField)),
            ("another visitor's cookie", post(cookie: theirs.header, field: myField)),
            ("a changed field", post(cookie: myCookie, field: tampered(myField, at: 3))),
            ("a changed signature", post(cookie: tampered(myCookie, at: -2), field: myField)),
            ("a changed random part", post(cookie: tampered(myCookie, at: myCookie.firstIndex(of: "=")!.utf16Offset(in: myCookie) + 3), field: myField)),
            ("a changed expiry", post(cookie: myCookie.replacingOccurrences(of: #"\.([0-9])"#, with: ".9$1", options: .regularExpression), field: myField)),
            ("a value of 5000 bytes", post(cookie: String(myCookie.prefix { $0 != "=" }) + "=" + String(repeating: "x", count: 5000), field: myField)),
        ]
        for (name, response) in refused {
            #expect(response.status == 403, "\(name): \(response.status)")
            #expect(response.bodyText.contains(Self.refusal), "\(name)")
        }
        #expect(try fixture.sessionRows() == 0)

        fixture.clock.advance(28_800 + 1)
        let expired = post(cookie: myCookie, field: myField)
        #expect(expired.status == 403 && expired.bodyText.contains(Self.refusal), "an expired form is refused")
        #expect(try fixture.sessionRows() == 0)
        var fresh = Jar()
        let again = try Self.csrfField(fixture.visit("GET", "/login", &fresh))
        #expect(fixture.visit("POST", "/login", &fresh, form: "csrf_token=\(again)" + credentials).status == 303)
    }

    @Test func signUpUsesTheAnonymousTokenToo() throws {
        let fixture = try Fixture(settings: ["OAUTH1_SIGNUP": "true"])
        var jar = Jar()
        let form = fixture.visit("GET", "/signup", &jar)
        let fields = "&username=dave&password=long-password&confirm=long-password&next=%2Foauth%2F"
        let forged = fixture.request("POST", "/signup", cookie: jar.header, form: "csrf_token=forged" + fields)
        #expect(forged.status == 403 && forged.bodyText.contains("Your form expired or came from another site."))
        #expect(try fixture.sessionRows() == 0)
        let created = fixture.visit("POST", "/signup", &jar, form: "csrf_token=\(try Self.csrfField(form))" + fields)
        #expect(created.status == 303)
        #expect(try fixture.sessionRows() == 1)
        #expect(jar.cookies.map(\.name) == [Sessions.cookieName])
        #expect(fixture.visit("GET", "/", &jar).bodyText.contains("dave"))
    }

    /// The token's cookie value verifies under its key until its expiry, and nowhere else; the fuzz seed `form-valid` is one.
    @Test func formTokenCookieIsSignedAndExpires() throws {
        let key = Array("0123456789abcdef0123456789abcdef".utf8)
        let seed = "k7Qm2ZpV9xTc4LwR8sNd3FhY6jGb1UaE.4000000000.AQvFf4ctX2HuvU-ZzmolOAwKvtEWxO1bPl7cMgPvsOs"
        let token = try #require(AnonymousFormToken.verified(cookieValue: seed, key: key, now: 1_800_000_000))
        #expect(token == AnonymousFormToken(random: "k7Qm2ZpV9xTc4LwR8sNd3FhY6jGb1UaE", expiresAt: 4_000_000_000))
        #expect(token.cookieValue(key: key) == seed)
        #expect(token.matches(field: "k7Qm2ZpV9xTc4LwR8sNd3FhY6jGb1UaE") && !token.matches(field: "k7Qm2ZpV9xTc4LwR8sNd3FhY6jGb1Ua"))
        #expect(AnonymousFormToken.verified(cookieValue: seed, key: key, now: 4_000_000_000) == nil, "expired at its expiry")
        #expect(AnonymousFormToken.verified(cookieValue: seed, key: Array(key.reversed()), now: 0) == nil)
        #expect(Sessions.verifiedIdentifier(cookieValue: seed, key: key) == nil, "a form token is no session cookie")
        let sessionSigned = "k7Qm2ZpV9xTc4LwR8sNd3FhY6jGb1UaE.4000000000." + Sessions.mac("k7Qm2ZpV9xTc4LwR8sNd3FhY6jGb1UaE.4000000000", key: key)
        #expect(AnonymousFormToken.verified(cookieValue: sessionSigned, key: key, now: 0) == nil, "a session MAC is no form token's")
        for bad in ["", "a.b.c", seed + "x", seed.replacingOccurrences(of: ".4000000000.", with: ".+4000000000."),
                    seed.replacingOccurrences(of: ".4000000000.", with: ".99999999999999999999."), String(repeating: "A", count: 201)] {
            #expect(AnonymousFormToken.verified(cookieValue: bad, key: key, now: 0) == nil, "\(bad)")
        }
    }

    /// A mount path with a byte no cookie attribute may hold is percent-encoded, so the Set-Cookie line stays one cookie.
    @Test func cookiePathEncodesWhatAnAttributeCannotHold() {
        #expect(CookieLine.path(mountPath: "") == "/")
        #expect(CookieLine.path(mountPath: "/oauth") == "/oauth")
        #expect(CookieLine.path(mountPath: "/o a;th,%é") == "/o%20a%3Bth%2C%25%C3%A9")
    }

    /// Every cookie the provider sets, and each deletion, is scoped to the mount point, so other programs on the host never get it.
    @Test func everyCookieCarriesTheMountPointAsItsPath() throws {
        let fixture = try Fixture()
        _ = try fixture.application.parts().stores.users.create(username: "alice", password: "alice-password")
        var jar = Jar()
        var lines = [String]()
        func visit(_ method: String, _ route: String, form: String? = nil) -> HTTPResponse {
            let response = fixture.visit(method, route, &jar, form: form)
            lines += response.headers.values(for: "Set-Cookie")
            return response
        }
        let form = visit("GET", "/login")
        #expect(!lines.isEmpty)
        _ = visit("POST", "/login", form: "csrf_token=\(try Self.csrfField(form))&username=alice&password=alice-password")
        let home = visit("GET", "/")
        #expect(visit("POST", "/logout", form: "csrf_token=\(try Self.csrfField(home))").status == 200)
        let names = Set(lines.map { String($0.prefix { $0 != "=" }) })
        #expect(names.count == 2 && names.contains(Sessions.cookieName), "the session cookie and the form's: \(names)")
        #expect(lines.contains { $0.hasPrefix(Sessions.cookieName + "=;") && $0.contains("Max-Age=0") }, "sign-out deletes the session cookie")
        #expect(lines.contains { !$0.hasPrefix(Sessions.cookieName) && $0.contains("Max-Age=0") }, "sign-in deletes the form's cookie")
        for line in lines {
            let attributes = line.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(attributes.contains("Path=/oauth"), "\(line)")
            #expect(attributes.contains("HttpOnly") && attributes.contains("SameSite=Lax"), "\(line)")
            #expect(!attributes.contains("Secure"), "insecure transport is on: \(line)")
        }

        let root = try Fixture(mountPath: "")
        #expect(root.request("GET", "/login").headers.values(for: "Set-Cookie").allSatisfy { $0.contains("; Path=/;") })
        let secure = try Fixture(settings: ["OAUTH1_INSECURE_TRANSPORT": "false"], scheme: "https")
        let secureLines = secure.request("GET", "/login").headers.values(for: "Set-Cookie")
        #expect(!secureLines.isEmpty && secureLines.allSatisfy { $0.hasSuffix("; Secure") && $0.contains("; Path=/oauth;") })
    }
}
