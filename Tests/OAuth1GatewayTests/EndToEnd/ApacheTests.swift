import Foundation
import Testing

/// The provider under a real Apache, with the files of apache/ as shipped (only their paths and ports changed): the FastCGI
/// Authorizer role guarding a static file and a CGI script through mod_authnz_fcgi. The deployment recipes of
/// docs/apache.md are run by ApacheRecipeTests and ApacheRemoteUserTests.
@Suite(.serialized) struct ApacheTests {
    static func shipped(_ name: String) throws -> String {
        try String(contentsOf: ProcessRunner.repository.appendingPathComponent("apache/" + name), encoding: .utf8)
    }

    func flow(base: String, client: (id: String, secret: String), scope: String? = nil) throws -> (String, String) {
        try ClientScripts.threeLegged(base: base, client: client, scope: scope)
    }

    func signed(_ url: String, client: (id: String, secret: String), token: (String, String)?, extra: [String] = []) throws -> ClientScripts.Signed {
        try ClientScripts.signed(url, client: client, token: token, extra)
    }

    @Test func authorizerGuardsStaticFilesAndCGIScripts() throws {
        let root = ApacheServer.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = ProviderData(dataDirectory: root + "/data", settings: ["OAUTH1_SCOPES": "photos.read=See your photos;profile=See your profile"])
        try data.addUser("alice", password: "alice-password")
        let client = try data.addClient(name: "Gallery")
        let backend = "127.0.0.1:\(try ProviderServer.freePort())"
        let serve = try data.serve(listen: backend, log: root + "/serve.log")
        defer { serve.terminateGracefully() }

        // authorizer.conf as shipped, the endpoints through proxy-fcgi.conf on the same TCP `serve`, and a CGI directory.
        let snippet = try Self.shipped("authorizer.conf").replacingOccurrences(of: "127.0.0.1:9101", with: backend) + "\n"
            + Self.shipped("proxy-fcgi.conf").replacingOccurrences(of: "unix:/run/oauth1-fcgi/oauth1-fcgi.sock|fcgi://oauth1-fcgi/", with: "fcgi://\(backend)/")
            + "\n<Directory \"\(root)/apache/htdocs/protected/cgi\">\n    Options +ExecCGI\n    SetHandler cgi-script\n</Directory>\n"
        let apache = try ApacheServer(root: root, snippet: snippet)
        let protected = apache.htdocs + "/protected"
        try FileManager.default.createDirectory(atPath: protected + "/photos", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: protected + "/cgi", withIntermediateDirectories: true)
        try "hello from a static file\n".write(toFile: protected + "/hello.txt", atomically: true, encoding: .utf8)
        try "a photo\n".write(toFile: protected + "/photos/cat.txt", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: ProcessRunner.repository.appendingPathComponent("Tests/EndToEnd/gate/echo.cgi").path,
                                         toPath: protected + "/cgi/echo.cgi")
        try apache.start()
        defer { apache.stop() }

        let photos = try flow(base: apache.origin + "/oauth", client: client, scope: "photos.read")
        let profile = try flow(base: apache.origin + "/oauth", client: client, scope: "profile")

        let file = try signed(apache.origin + "/protected/hello.txt", client: client, token: photos, extra: ["--repeat", "2"])
        #expect(file.statuses == [200, 401], "a signed request reaches the file once; its replay does not: \(file.bodies) \(apache.errorLog)")
        #expect(file.bodies.first == "hello from a static file\n")
        #expect(file.headers.first?.contains { $0.lowercased().hasPrefix("variable-") || $0.lowercased().hasPrefix("cache-control") } == false,
                "the authorizer's own headers stay out of the answer: \(file.headers.first ?? [])")
        #expect(file.bodies.last?.contains("nonce_used") == true)

        let program = try signed(apache.origin + "/protected/cgi/echo.cgi?page=2", client: client, token: photos)
        #expect(program.statuses == [200])
        #expect(program.bodies.first == "remote_user=alice username=alice user_id=1 client_id=\(client.id) scopes=photos.read\n", "\(program.bodies)")

        #expect(try signed(apache.origin + "/protected/photos/cat.txt", client: client, token: photos).statuses == [200])
        let wrongScope = try signed(apache.origin + "/protected/photos/cat.txt", client: client, token: profile)
        #expect(wrongScope.statuses == [403] && wrongScope.bodies.first?.contains("permission_denied") == true, "\(wrongScope.bodies)")

        let formBody = try signed(apache.origin + "/protected/hello.txt", client: client, token: photos, extra: ["--method", "POST", "--data", "a=1"])
        #expect(formBody.statuses == [401] && formBody.bodies.first?.contains("sees%20no%20request%20body") == true, "\(formBody.bodies)")

        let (unsigned, unsignedText) = try HTTP.get(apache.origin + "/protected/hello.txt")
        #expect(unsigned == 401)
        #expect(unsignedText.contains("WWW-Authenticate: OAuth realm=\"oauth1-fcgi\", oauth_problem=\"parameter_absent\""), "\(unsignedText)")
        #expect(!unsignedText.contains("hello from a static file"))

        // Two-legged requests from a client flagged for them pass only where a location admits them.
        try FileManager.default.createDirectory(atPath: protected + "/services", withIntermediateDirectories: true)
        try "a service file\n".write(toFile: protected + "/services/status.txt", atomically: true, encoding: .utf8)
        let service = try data.addClient(name: "Service", extra: ["--two-legged"])
        let twoLegged = { (url: String) in try ClientScripts.signed(url, client: service) }
        #expect(try twoLegged(apache.origin + "/protected/hello.txt").statuses == [401])
        let admitted = try twoLegged(apache.origin + "/protected/services/status.txt")
        #expect(admitted.statuses == [200] && admitted.bodies.first == "a service file\n", "\(admitted.bodies)")

        #expect(try data.cli(["token", "revoke", photos.0]).status == 0)
        let revoked = try signed(apache.origin + "/protected/hello.txt", client: client, token: photos)
        #expect(revoked.statuses == [401] && revoked.bodies.first?.contains("token_revoked") == true, "\(revoked.bodies)")
    }
}
