import Foundation
import Glibc
import Testing

/// docs/apache.md's recipes run as written (DocRecipe) against a real Apache around the files of apache/ as shipped: the
/// mod_proxy_fcgi setup with its service account, mod_fcgid, and shared hosting as the CGI's own user with exactly the
/// overrides the .htaccess names.
@Suite(.serialized) struct ApacheRecipeTests {
    static let password = "you-password"

    /// The shipped file with the scratch paths.
    static func shipped(_ name: String, _ scratch: Scratch) throws -> String {
        scratch.apply(try ApacheTests.shipped(name))
    }

    /// What follows `AllowOverride ` on the first line of a shipped file that names it (its comment).
    static func namedOverrides(_ file: String) throws -> String {
        let line = try #require(try ApacheTests.shipped(file).components(separatedBy: "\n").first { $0.contains("AllowOverride ") })
        return String(line[line.range(of: "AllowOverride ")!.upperBound...]).trimmingCharacters(in: .whitespaces)
    }

    /// A GET by curl, with Basic credentials for `you` or none: the status and the whole response, headers included.
    static func get(_ url: String, basic: Bool = false) throws -> (Int, String) {
        let result = try ProcessRunner.run("/usr/bin/curl", ["-s", "-i"] + (basic ? ["-u", "you:" + password] : []) + [url])
        let status = result.stdout.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, result.stdout)
    }

    /// The flow through /oauth signed in as `you`, then a signed GET /user and its refused replay.
    static func flowAndReplay(_ apache: ApacheServer, client: (id: String, secret: String), basicAuth: Bool = false) throws {
        let token = try ClientScripts.threeLegged(base: apache.origin + "/oauth", client: client, username: "you", password: password,
                                                  basicAuth: basicAuth)
        let user = try ClientScripts.signed(apache.origin + "/oauth/user", client: client, token: token, ["--repeat", "2"])
        #expect(user.statuses == [200, 401], "\(user.bodies) \(apache.errorLog)")
        #expect(user.bodies.first?.contains("\"username\": \"you\"") == true)
    }

    /// The mod_proxy_fcgi setup recipe as root: binary, service account, data and socket directories, first user and client.
    static func proxyFCGISetUp(_ scratch: Scratch) throws -> (id: String, secret: String) {
        let setup = try DocRecipe.named("proxy-fcgi-setup")
        try setup.expectModulesLoaded()
        let output = try setup.run(scratch, stdin: password + "\n")
        return try DocRecipe.client(in: output.stdout)
    }

    /// Waits for `serve` to bind its socket.
    static func waitForSocket(_ path: String, serve: Process, log: String) throws {
        let deadline = Date().addingTimeInterval(20)
        while access(path, F_OK) != 0 {
            guard serve.isRunning, Date() < deadline else {
                throw ServerError("serve did not bind \(path): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            usleep(50_000)
        }
    }

    @Test func proxyFCGIRecipeAsWritten() throws {
        try #require(geteuid() == 0, "the recipe creates a service account and runs commands as it: run the tests as root, as CI does")
        let root = ApacheServer.makeRoot()
        let scratch = Scratch(root: root)
        defer { scratch.removeAccount(); try? FileManager.default.removeItem(atPath: root) }
        let client = try Self.proxyFCGISetUp(scratch)

        // The one change to the serve command: the test's Apache speaks plain HTTP.
        let serveRecipe = try DocRecipe.named("proxy-fcgi-serve")
        let serve = try DocRecipe(name: serveRecipe.name, text: serveRecipe.text.replacingOccurrences(
            of: "env OAUTH1_DATA_DIR=", with: "env OAUTH1_INSECURE_TRANSPORT=true OAUTH1_DATA_DIR="))
            .start(scratch, log: root + "/serve.log")
        defer { serve.terminateGracefully() }
        try Self.waitForSocket(root + "/run/oauth1-fcgi/oauth1-fcgi.sock", serve: serve, log: root + "/serve.log")
        var socket = stat()
        stat(root + "/run/oauth1-fcgi/oauth1-fcgi.sock", &socket)
        #expect(socket.st_mode & 0o777 == 0o660 && socket.st_gid == 33, "the socket is 0660 with the group www-data")
        var data = stat()
        stat(root + "/var/lib/oauth1-fcgi/oauth1.sqlite", &data)
        #expect(data.st_uid != 0 && data.st_mode & 0o077 == 0, "the database belongs to the service account alone")

        let apache = try ApacheServer(root: root, snippet: try Self.shipped("proxy-fcgi.conf", scratch))
        try apache.start()
        defer { apache.stop() }
        try Self.flowAndReplay(apache, client: client)
    }

    @Test func fcgidRecipeAsWritten() throws {
        try #require(geteuid() == 0, "the recipe runs commands as www-data: run the tests as root, as CI does")
        let root = ApacheServer.makeRoot()
        let scratch = Scratch(root: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let setup = try DocRecipe.named("fcgid-setup")
        try setup.expectModulesLoaded()
        let client = try DocRecipe.client(in: try setup.run(scratch, stdin: Self.password + "\n").stdout)

        let snippet = try Self.shipped("fcgid.conf", scratch) + "\nFcgidInitialEnv OAUTH1_INSECURE_TRANSPORT true\n"
        let apache = try ApacheServer(root: root, snippet: snippet)
        try apache.start()
        defer { apache.stop() }
        try Self.flowAndReplay(apache, client: client)
        #expect(apache.errorLog.contains("user 1 approved client \(client.id)"), "mod_fcgid ran the provider and logged its stderr")
    }

    /// The shared-hosting recipe as the user Apache runs CGI programs as (www-data here), in a home of its own whose
    /// public_html is the document root, after "uploading" the binary and the .htaccess there.
    static func sharedHostingSetUp(root: String, extraUploads: [String] = []) throws -> (home: String, client: (id: String, secret: String)) {
        let home = root + "/home/you"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ProcessRunner.binary, toPath: home + "/oauth1-fcgi")
        for name in ["shared-hosting.htaccess"] + extraUploads {
            try ApacheTests.shipped(name).write(toFile: home + "/" + name, atomically: true, encoding: .utf8)
        }
        try ApacheServer.handOver(root + "/home")
        let output = try DocRecipe.named("shared-hosting").run(as: "www-data", home: home, stdin: password + "\n")
        // The one change: the test's Apache speaks plain HTTP.
        let conf = try FileHandle(forWritingTo: URL(fileURLWithPath: home + "/oauth1/oauth1.conf"))
        try conf.seekToEnd()
        try conf.write(contentsOf: Data("OAUTH1_INSECURE_TRANSPORT=true\n".utf8))
        try conf.close()
        return (home, try DocRecipe.client(in: output.stdout))
    }

    /// A site whose document root is `home`/public_html and which allows exactly `overrides` in .htaccess files.
    static func hostingSite(root: String, home: String, overrides: String) throws -> ApacheServer {
        try ApacheServer(root: root, snippet: "<Directory \"\(home)/public_html\">\n    AllowOverride \(overrides)\n</Directory>\n",
                         documentRoot: home + "/public_html")
    }

    @Test func sharedHostingRecipeAsWritten() throws {
        try #require(geteuid() == 0, "the recipe runs as www-data: run the tests as root, as CI does")
        let root = ApacheServer.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (home, client) = try Self.sharedHostingSetUp(root: root)
        let overrides = try Self.namedOverrides("shared-hosting.htaccess")
        #expect(overrides == "FileInfo Options=ExecCGI")
        let apache = try Self.hostingSite(root: root, home: home, overrides: overrides)
        try apache.start()
        try Self.flowAndReplay(apache, client: client)
        let (homeStatus, homePage) = try Self.get(apache.origin + "/oauth/")
        #expect(homeStatus == 303 && homePage.contains("Location: /oauth/login"), "/oauth/ itself reaches the provider: \(homePage)")

        // This Apache allows no more than the comment names: CGIPassAuth (AuthConfig) is refused with a 500.
        let htaccess = home + "/public_html/oauth/.htaccess"
        let shipped = try String(contentsOfFile: htaccess, encoding: .utf8)
        let lines = shipped.components(separatedBy: "\n")
        let withoutPass = lines.filter { !$0.hasPrefix("SetEnvIf Authorization") }
        try (withoutPass + ["CGIPassAuth On"]).joined(separator: "\n").write(toFile: htaccess, atomically: true, encoding: .utf8)
        #expect(try Self.get(apache.origin + "/oauth/").0 == 500, "an override the comment does not name is refused")

        // Without the SetEnvIf line, nothing passes the header: the request is refused.
        try withoutPass.joined(separator: "\n").write(toFile: htaccess, atomically: true, encoding: .utf8)
        #expect(try Self.get(apache.origin + "/oauth/").0 == 303)
        let hidden = try ClientScripts.signed(apache.origin + "/oauth/user", client: client)
        #expect(hidden.statuses == [400] && hidden.bodies.first?.contains("parameter_absent") == true, "\(hidden.bodies)")
        apache.stop()

        // CGIPassAuth in its place does the job where AuthConfig is allowed too.
        let withAuthConfig = try Self.hostingSite(root: root, home: home, overrides: overrides + " AuthConfig")
        try (withoutPass + ["CGIPassAuth On"]).joined(separator: "\n").write(toFile: htaccess, atomically: true, encoding: .utf8)
        try withAuthConfig.start()
        defer { withAuthConfig.stop() }
        try Self.flowAndReplay(withAuthConfig, client: client)

        // A data directory the CGI's user cannot use: every request a 503, the reason in the error log.
        try shipped.write(toFile: htaccess, atomically: true, encoding: .utf8)
        _ = try ProcessRunner.run("/bin/chown", ["-R", "root:root", home + "/oauth1/data"])
        let refused = try ClientScripts.signed(withAuthConfig.origin + "/oauth/user", client: client)
        #expect(refused.statuses == [503], "\(refused.bodies)")
        #expect(withAuthConfig.errorLog.contains("oauth1.sqlite cannot be opened (Permission denied); check the directory exists and is writable by this user"),
                "\(withAuthConfig.errorLog)")
    }
}
