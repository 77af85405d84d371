import Foundation
import Glibc
import Testing

/// OAUTH1_TRUST_REMOTE_USER behind Apache, as docs/apache.md gives it: HTTP Basic on the sign-in and consent pages only
/// (apache/remote-user.conf for mod_proxy_fcgi, apache/remote-user.htaccess under CGI), the recipes run as written. The
/// browser signs in with Basic credentials and never sees the provider's form; the OAuth endpoints stay reachable.
@Suite(.serialized) struct ApacheRemoteUserTests {
    static func get(_ url: String, basic: Bool) throws -> (Int, String) { try ApacheRecipeTests.get(url, basic: basic) }

    /// What every REMOTE_USER site must do: Basic on the pages, nothing in the way of the OAuth endpoints.
    static func expectOnlyThePagesProtected(_ apache: ApacheServer, client: (id: String, secret: String)) throws {
        try ApacheRecipeTests.flowAndReplay(apache, client: client, basicAuth: true)
        #expect(try get(apache.origin + "/oauth/login", basic: false).0 == 401, "the sign-in page asks the web server's question")
        #expect(try get(apache.origin + "/oauth/authorize?oauth_token=x", basic: false).0 == 401)
        let health = try get(apache.origin + "/oauth/health", basic: false)
        #expect(health.0 == 200, "other routes need no Basic credentials: \(health.1)")
    }

    @Test func remoteUserBehindProxyFCGI() throws {
        try #require(geteuid() == 0, "the recipe creates a service account: run the tests as root, as CI does")
        let root = ApacheServer.makeRoot()
        let scratch = Scratch(root: root)
        defer { scratch.removeAccount(); try? FileManager.default.removeItem(atPath: root) }
        let client = try ApacheRecipeTests.proxyFCGISetUp(scratch)
        try FileManager.default.createDirectory(atPath: root + "/etc/apache2", withIntermediateDirectories: true)
        let setup = try DocRecipe.named("remote-user-proxy-fcgi-setup")
        try setup.expectModulesLoaded()
        try setup.run(scratch, stdin: ApacheRecipeTests.password + "\n")

        let serveRecipe = try DocRecipe.named("remote-user-proxy-fcgi-serve")
        #expect(serveRecipe.text.contains("OAUTH1_TRUST_REMOTE_USER=true"))
        let serve = try DocRecipe(name: serveRecipe.name, text: serveRecipe.text.replacingOccurrences(
            of: "env OAUTH1_DATA_DIR=", with: "env OAUTH1_INSECURE_TRANSPORT=true OAUTH1_DATA_DIR="))
            .start(scratch, log: root + "/serve.log")
        defer { serve.terminateGracefully() }
        try ApacheRecipeTests.waitForSocket(root + "/run/oauth1-fcgi/oauth1-fcgi.sock", serve: serve, log: root + "/serve.log")

        let snippet = try ApacheRecipeTests.shipped("proxy-fcgi.conf", scratch) + "\n" + ApacheRecipeTests.shipped("remote-user.conf", scratch)
        let apache = try ApacheServer(root: root, snippet: snippet)
        try apache.start()
        try Self.expectOnlyThePagesProtected(apache, client: client)
        apache.stop()

        // What the docs warn against: Basic over all of /oauth/ meets the client's `Authorization: OAuth` and refuses it.
        let wholeSite = snippet.replacingOccurrences(of: #"<LocationMatch "^/oauth/(login|authorize)$">"#, with: #"<LocationMatch "^/oauth/">"#)
        #expect(wholeSite != snippet)
        let everywhere = try ApacheServer(root: root, snippet: wholeSite)
        try everywhere.start()
        defer { everywhere.stop() }
        let initiate = try ClientScripts.signed(everywhere.origin + "/oauth/initiate", client: client, token: nil,
                                                ["--method", "POST", "--callback", "oob"])
        #expect(initiate.statuses == [401], "\(initiate.bodies)")
        #expect(initiate.headers.first?.contains { $0.lowercased().hasPrefix("www-authenticate: basic") } == true, "\(initiate.headers)")
    }

    @Test func remoteUserUnderCGI() throws {
        try #require(geteuid() == 0, "the recipe runs as www-data: run the tests as root, as CI does")
        let root = ApacheServer.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (home, client) = try ApacheRecipeTests.sharedHostingSetUp(root: root, extraUploads: ["remote-user.htaccess"])
        try DocRecipe.named("remote-user-cgi").run(as: "www-data", home: home, stdin: ApacheRecipeTests.password + "\n")
        let overrides = try ApacheRecipeTests.namedOverrides("remote-user.htaccess")
        #expect(overrides == "FileInfo AuthConfig Options=ExecCGI")
        let apache = try ApacheRecipeTests.hostingSite(root: root, home: home, overrides: overrides)
        try apache.start()
        defer { apache.stop() }
        try Self.expectOnlyThePagesProtected(apache, client: client)

        // A pattern that misses the rewritten path: Apache still asks for the password, but the provider sees no user and
        // shows its own sign-in form.
        let htaccess = home + "/public_html/oauth/.htaccess"
        let text = try String(contentsOfFile: htaccess, encoding: .utf8)
        #expect(text.contains(#"(oauth1\.cgi/)?"#))
        try text.replacingOccurrences(of: #"(oauth1\.cgi/)?"#, with: "").write(toFile: htaccess, atomically: true, encoding: .utf8)
        let (status, page) = try Self.get(apache.origin + "/oauth/login", basic: true)
        #expect(status == 200 && page.contains("name=\"password\""), "\(status) \(page)")
        #expect(try Self.get(apache.origin + "/oauth/login", basic: false).0 == 401)
    }
}
