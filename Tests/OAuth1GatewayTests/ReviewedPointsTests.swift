import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Testing

/// Points of docs/security.md that had no test: `Cache-Control: no-store` on what carries a user's data, no nonce kept
/// for a request whose signature fails, and the modes of the files the data directory holds.
@Suite struct ReviewedPointsTests {
    /// Two Authorization headers oauthlib signs with the same nonce and timestamp: one with a wrong client secret, one
    /// with the right one.
    static func sameNonceHeaders(url: String, method: String, client: String, secret: String, token: (String, String)) throws -> (wrong: String, right: String) {
        let script = """
            import sys, time, oauthlib.oauth1 as o
            nonce, stamp = o.rfc5849.generate_nonce(), str(int(time.time()))
            for secret in (sys.argv[3] + 'x', sys.argv[3]):
                c = o.Client(sys.argv[2], client_secret=secret, resource_owner_key=sys.argv[4], resource_owner_secret=sys.argv[5],
                             nonce=nonce, timestamp=stamp)
                print(c.sign(sys.argv[1], http_method=sys.argv[6])[1]['Authorization'])
            """
        let result = try ProcessRunner.run("/usr/bin/python3", ["-c", script, url, client, secret, token.0, token.1, method])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(result.status == 0 && lines.count == 2, "oauthlib: \(result.stderr)")
        return (lines[0], lines[1])
    }

    @Test func aRequestWhoseSignatureFailsLeavesItsNonceUnusedAndUserDataIsNeverCached() throws {
        let fixture = try ApplicationTests.Fixture()
        let stores = try fixture.application.parts().stores
        let alice = try stores.users.create(username: "alice", password: "alice-password")
        try stores.clients.register(name: "Printer", identifier: "printer", secret: "printer-secret")
        try stores.tokenCredentials.save(TokenCredential(token: "tok", secret: "tok-secret", clientIdentifier: "printer",
                                                         userID: String(alice.id), createdAt: 1_700_000_000))
        let url = "http://provider.example:8080/oauth/user"
        let headers = try Self.sameNonceHeaders(url: url, method: "GET", client: "printer", secret: "printer-secret", token: ("tok", "tok-secret"))

        let forged = fixture.application.handleGET("/user", authorization: headers.wrong)
        #expect(forged.status == 401 && forged.bodyText.contains("signature_invalid"), "\(forged.bodyText)")
        let genuine = fixture.application.handleGET("/user", authorization: headers.right)
        #expect(genuine.status == 200, "the forged request did not use up the nonce: \(genuine.bodyText)")
        #expect(genuine.headers.values(for: "Cache-Control") == ["no-store"])
        let replay = fixture.application.handleGET("/user", authorization: headers.right)
        #expect(replay.status == 401 && replay.bodyText.contains("nonce_used"), "the genuine one did")

        let whoami = try Self.sameNonceHeaders(url: "http://provider.example:8080/oauth/whoami", method: "GET", client: "printer",
                                               secret: "printer-secret", token: ("tok", "tok-secret"))
        #expect(fixture.application.handleGET("/whoami", authorization: whoami.right).headers.values(for: "Cache-Control") == ["no-store"])
        for page in ["/login", "/"] {
            #expect(fixture.request("GET", page).headers.values(for: "Cache-Control") == ["no-store"], "\(page)")
        }
    }

    @Test func everyFileOfTheDataDirectoryIsTheOwnersOnly() throws {
        let fixture = try ApplicationTests.Fixture()
        let stores = try fixture.application.parts().stores
        try stores.clients.register(name: "Printer", identifier: "printer", secret: "printer-secret")
        _ = try stores.clients.client(identifier: "printer")
        let data = fixture.directory + "/data"
        let files = try FileManager.default.contentsOfDirectory(atPath: data)
        for name in ["oauth1.sqlite", "oauth1.sqlite-wal", "oauth1.sqlite-shm", "session.key", "secrets.key"] {
            #expect(files.contains(name), "\(name) in \(files)")
        }
        for name in files {
            var status = stat()
            #expect(stat(data + "/" + name, &status) == 0)
            #expect(status.st_mode & 0o077 == 0, "\(name) is mode \(String(status.st_mode & 0o777, radix: 8))")
        }
    }
}
