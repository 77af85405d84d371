import Foundation
import Testing

/// Behaviour at the edge, through real nginx: replay refused across workers, broken requests answered with a 4xx and a
/// sentence by a worker that stays alive, pages that cannot be framed, session cookies with the right flags.
@Suite(.serialized) struct RequestHandlingTests {
    static let clients = ProcessRunner.repository.appendingPathComponent("Tests/EndToEnd/clients")

    @Test func replayedProtectedRequestIsRefusedOnAnyWorker() throws {
        let server = try ProviderServer(workers: 3)
        defer { server.stop() }
        try server.addUser("alice", password: "alice-password")
        let client = try server.addClient(name: "Printer")
        let flow = try ProcessRunner.run("/usr/bin/python3", [Self.clients.appendingPathComponent("three_legged.py").path, "--base", server.base,
                                                              "--client-key", client.id, "--client-secret", client.secret,
                                                              "--username", "alice", "--password", "alice-password"])
        try #require(flow.status == 0, "\(flow.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(flow.stdout.utf8)) as? [String: Any])
        let token = try #require(output["token"] as? String)
        let secret = try #require(output["token_secret"] as? String)
        let replay = try ProcessRunner.run("/usr/bin/python3", [Self.clients.appendingPathComponent("signed_request.py").path,
                                                                "--url", server.base + "/user", "--client-key", client.id,
                                                                "--client-secret", client.secret, "--token", token, "--token-secret", secret,
                                                                "--repeat", "6", "--expect-status", "200", "--expect-status", "401",
                                                                "--expect-status", "401", "--expect-status", "401", "--expect-status", "401",
                                                                "--expect-status", "401"])
        #expect(replay.status == 0, "\(replay.stdout) \(replay.stderr)")
        #expect(replay.stdout.contains("nonce_used"))

        let revoked = try server.cli(["token", "revoke", token])
        #expect(revoked.status == 0)
        let after = try ProcessRunner.run("/usr/bin/python3", [Self.clients.appendingPathComponent("signed_request.py").path,
                                                               "--url", server.base + "/user", "--client-key", client.id,
                                                               "--client-secret", client.secret, "--token", token, "--token-secret", secret,
                                                               "--expect-status", "401"])
        #expect(after.status == 0 && after.stdout.contains("token_revoked"), "\(after.stdout)")
    }

    @Test func brokenRequestsGetA4xxWithASentenceAndTheWorkerLives() throws {
        let server = try ProviderServer(workers: 1, settings: ["OAUTH1_MAX_BODY_BYTES": "2048"])
        defer { server.stop() }
        let worker = server.workerPIDs()
        let host = "Host: 127.0.0.1:\(server.port)\r\nConnection: close\r\n"
        let cases: [(String, String, Int, String)] = [
            ("malformed Authorization", "POST /oauth/initiate HTTP/1.1\r\n\(host)Authorization: OAuth oauth_consumer_key=\"abc\r\nContent-Length: 0\r\n\r\n", 400, "no closing quote"),
            ("bad percent-encoding", "GET /oauth/user?a=%zz HTTP/1.1\r\n\(host)\r\n", 400, "query string"),
            ("duplicated protocol parameter", "GET /oauth/user?oauth_nonce=1&oauth_nonce=2 HTTP/1.1\r\n\(host)\r\n", 400, "more than once"),
            ("body over the limit", "POST /oauth/token HTTP/1.1\r\n\(host)Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\n" + String(repeating: "a", count: 4000), 413, "limit is 2048"),
            ("invalid UTF-8 body", "POST /oauth/initiate HTTP/1.1\r\n\(host)Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\na=%FF", 400, "UTF-8"),
            ("wrong method", "GET /oauth/initiate HTTP/1.1\r\n\(host)\r\n", 405, "POST only"),
            ("unknown route", "GET /oauth/nothing-here HTTP/1.1\r\n\(host)\r\n", 404, "no endpoint"),
            ("unsigned resource request", "GET /oauth/user HTTP/1.1\r\n\(host)\r\n", 400, "missing the required parameters"),
        ]
        for (name, request, expected, sentence) in cases {
            let (status, text) = try HTTP.raw(port: server.port, Array(request.utf8))
            #expect(status == expected, "\(name): \(text)")
            #expect(text.removingPercentEncoding?.contains(sentence) == true || text.contains(sentence), "\(name): \(text)")
        }
        #expect(server.workerPIDs() == worker)
        #expect(!server.supervisorLog.contains("died"))
    }

    @Test func pagesCannotBeFramedAndCookiesAreHttpOnly() throws {
        let server = try ProviderServer(workers: 1)
        defer { server.stop() }
        let (status, text) = try HTTP.get(server.base + "/login")
        #expect(status == 200)
        #expect(text.contains("X-Frame-Options: DENY"))
        #expect(text.contains("frame-ancestors 'none'"))
        let cookie = try #require(text.split(separator: "\r\n").first { $0.hasPrefix("Set-Cookie: oauth1_form=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("; Path=/oauth;"), "\(cookie)")
        #expect(!cookie.contains("Secure"), "insecure transport is on in tests, so the cookie cannot be Secure")
        #expect(!text.contains("Set-Cookie: oauth1_session="), "no session before sign-in")

        try server.addUser("alice", password: "alice-password")
        let browser = Browser(port: server.port)
        let form = try browser.get("/oauth/login")
        let signedIn = try browser.post("/oauth/login", [("csrf_token", form.field("csrf_token") ?? ""), ("username", "alice"),
                                                         ("password", "alice-password")])
        let lines = signedIn.text.split(separator: "\r\n").filter { $0.hasPrefix("Set-Cookie: ") }
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains("; Path=/oauth;") && $0.contains("HttpOnly") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("Set-Cookie: oauth1_form=;") && $0.contains("Max-Age=0") }, "\(lines)")

        let (redirect, location) = try HTTP.get(server.base + "/authorize?oauth_token=abc")
        #expect(redirect == 303)
        #expect(location.contains("Location: /oauth/login?next=%2Foauth%2Fauthorize%3Foauth_token%3Dabc"))
    }

    @Test func httpsIsRequiredUnlessInsecureTransportIsOn() throws {
        let server = try ProviderServer(workers: 1, settings: ["OAUTH1_INSECURE_TRANSPORT": "false"])
        defer { server.stop() }
        let (status, text) = try HTTP.raw(port: server.port, Array("POST /oauth/initiate HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".utf8))
        #expect(status == 400)
        #expect(text.contains("transport_rejected") && text.contains("OAUTH1_INSECURE_TRANSPORT"))
        let (page, body) = try HTTP.get(server.base + "/login")
        #expect(page == 400 && body.contains("OAUTH1_INSECURE_TRANSPORT"))
    }

    /// A request oauthlib signed is accepted; the same request with one byte of its query changed is 401 signature_invalid;
    /// without its signature it is 400 parameter_absent.
    @Test func changedByteAndMissingParameterThroughNginx() throws {
        let server = try ProviderServer(workers: 1)
        defer { server.stop() }
        let client = try server.addClient(name: "Printer")
        func post(_ target: String, authorization: String?) throws -> (Int, String) {
            let header = authorization.map { "Authorization: \($0)\r\n" } ?? ""
            return try HTTP.raw(port: server.port, Array("POST \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n\(header)Content-Length: 0\r\nConnection: close\r\n\r\n".utf8))
        }
        let authorization = try OAuthlibSigner.authorizationHeader(url: server.base + "/initiate?album=a1", clientID: client.id,
                                                                   clientSecret: client.secret)
        let (changed, changedText) = try post("/oauth/initiate?album=a2", authorization: authorization)
        #expect(changed == 401 && changedText.contains("oauth_problem=signature_invalid"), "\(changedText)")
        #expect(changedText.contains("WWW-Authenticate: OAuth realm="))
        let unsigned = authorization.replacingOccurrences(of: #", oauth_signature="[^"]*""#, with: "", options: .regularExpression)
        let (absent, absentText) = try post("/oauth/initiate?album=a1", authorization: unsigned)
        #expect(absent == 400 && absentText.contains("oauth_problem=parameter_absent&oauth_parameters_absent=oauth_signature"), "\(absentText)")
        let (accepted, acceptedText) = try post("/oauth/initiate?album=a1", authorization: authorization)
        #expect(accepted == 200 && acceptedText.contains("oauth_callback_confirmed=true"), "\(acceptedText)")
    }

    /// The sign-in limit holds across worker processes: the failures land on different workers, the lock on all.
    @Test func loginLimitHoldsAcrossWorkers() throws {
        let server = try ProviderServer(workers: 2, settings: ["OAUTH1_LOGIN_MAX_FAILURES": "4"])
        defer { server.stop() }
        try server.addUser("alice", password: "alice-password")
        func attempt(_ password: String) throws -> (Int, String) {
            let (_, page) = try HTTP.get(server.base + "/login")
            let cookie = try #require(page.firstMatch(of: /Set-Cookie: (oauth1_form=[^;\r\n]+)/)?.1)
            let csrf = try #require(page.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
            let body = "csrf_token=\(csrf)&username=alice&password=\(password)&next=%2Foauth%2F"
            return try HTTP.raw(port: server.port, Array("POST /oauth/login HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nCookie: \(cookie)\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8))
        }
        for _ in 0..<4 { #expect(try attempt("wrong").0 == 401) }
        let (status, text) = try attempt("alice-password")
        #expect(status == 429 && text.contains("Too many failed sign-ins. Try again in"), "\(text.prefix(400))")
    }
}
