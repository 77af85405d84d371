import Foundation
import Testing

/// The developer portal and connected applications, driven as a browser would, through real nginx: register a client from
/// the page, run a three-legged flow with requests-oauthlib using it, see it under connected applications, revoke it and the
/// next request is 401; rotate a secret and the old one fails.
@Suite(.serialized) struct DeveloperPortalTests {
    static let clients = ProcessRunner.repository.appendingPathComponent("Tests/EndToEnd/clients")

    func flow(_ server: ProviderServer, id: String, secret: String) throws -> ProcessResult {
        try ProcessRunner.run("/usr/bin/python3", [Self.clients.appendingPathComponent("three_legged.py").path, "--base", server.base,
                                                   "--client-key", id, "--client-secret", secret, "--callback", "http://client.invalid/cb",
                                                   "--username", "alice", "--password", "alice-password"])
    }

    func signedGet(_ server: ProviderServer, id: String, secret: String, token: String, tokenSecret: String) throws -> ProcessResult {
        try ProcessRunner.run("/usr/bin/python3", [Self.clients.appendingPathComponent("signed_request.py").path, "--url", server.base + "/user",
                                                   "--client-key", id, "--client-secret", secret, "--token", token, "--token-secret", tokenSecret])
    }

    @Test func registerUseRevokeAndRotate() throws {
        let server = try ProviderServer(workers: 2)
        defer { server.stop() }
        try server.addUser("alice", password: "alice-password")
        let browser = Browser(port: server.port)
        try browser.signIn("alice", "alice-password")

        let form = try browser.get("/oauth/developer/new")
        #expect(form.status == 200 && form.text.contains("X-Frame-Options: DENY"))
        let bad = try browser.post("/oauth/developer/new", [("csrf_token", form.field("csrf_token") ?? ""), ("name", "Photo Printer"),
                                                            ("callbacks", "javascript:alert(1)")])
        #expect(bad.status == 400 && bad.text.contains("is not acceptable"))
        let created = try browser.post("/oauth/developer/new", [("csrf_token", form.field("csrf_token") ?? ""), ("name", "Photo Printer"),
                                                                ("description", "prints"), ("callbacks", "http://client.invalid/cb")])
        #expect(created.status == 200)
        let id = try #require(created.text.firstMatch(of: /<code id="client_id">([^<]+)<\/code>/)?.1).description
        let secret = try #require(created.text.firstMatch(of: /<code id="client_secret">([^<]+)<\/code>/)?.1).description
        let listing = try browser.get("/oauth/developer")
        #expect(listing.text.contains(id) && !listing.text.contains(secret), "the list shows the id, never the secret")

        let first = try flow(server, id: id, secret: secret)
        try #require(first.status == 0, "\(first.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let token = try #require(output["token"] as? String)
        let tokenSecret = try #require(output["token_secret"] as? String)
        #expect(try signedGet(server, id: id, secret: secret, token: token, tokenSecret: tokenSecret).stdout.contains("[200]"))

        let applications = try browser.get("/oauth/account/applications")
        #expect(applications.text.contains("Photo Printer"))
        let revoked = try browser.post("/oauth/account/applications/revoke", [("csrf_token", applications.field("csrf_token") ?? ""),
                                                                              ("credential", applications.field("credential") ?? "")])
        #expect(revoked.status == 303)
        let afterRevoke = try signedGet(server, id: id, secret: secret, token: token, tokenSecret: tokenSecret)
        #expect(afterRevoke.stdout.contains("[401]") && afterRevoke.stdout.contains("token_revoked"), "\(afterRevoke.stdout)")

        let second = try flow(server, id: id, secret: secret)
        try #require(second.status == 0, "\(second.stderr)")
        let edit = try browser.get("/oauth/developer/client?client_id=\(id)")
        let rotated = try browser.post("/oauth/developer/client/rotate", [("csrf_token", edit.field("csrf_token") ?? ""), ("client_id", id)])
        let newSecret = try #require(rotated.text.firstMatch(of: /<code id="client_secret">([^<]+)<\/code>/)?.1).description
        #expect(newSecret != secret)
        let withOld = try flow(server, id: id, secret: secret)
        #expect(withOld.status != 0 && withOld.stderr.contains("signature_invalid"), "\(withOld.stderr)")
        #expect(try flow(server, id: id, secret: newSecret).status == 0)

        let other = Browser(port: server.port)
        try server.addUser("mallory", password: "mallory-password")
        try other.signIn("mallory", "mallory-password")
        #expect(try other.get("/oauth/developer/client?client_id=\(id)").status == 404, "another developer cannot manage it")
    }
}
