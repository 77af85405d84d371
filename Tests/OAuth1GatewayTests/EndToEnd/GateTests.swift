import Foundation
import Testing

/// The provider as a gate through nginx's auth_request (nginx/protect-upstream.conf): a static file and a small FastCGI
/// program are reached only by signed requests with a live token, and the program learns who is calling.
@Suite(.serialized) struct GateTests {
    static let locations = """
        location /files/ {
            set $oauth_required_scope "";
            set $oauth_allow_two_legged "";
            auth_request /_oauth1_gate;
            alias @ROOT@/files/;
        }
        location /services/ {
            set $oauth_required_scope "";
            set $oauth_allow_two_legged on;
            auth_request /_oauth1_gate;
            alias @ROOT@/files/;
        }
        location /program/ {
            set $oauth_required_scope "photos.read";
            set $oauth_allow_two_legged "";
            auth_request /_oauth1_gate;
            auth_request_set $oauth_user_id   $upstream_http_x_oauth_user_id;
            auth_request_set $oauth_username  $upstream_http_x_oauth_username;
            auth_request_set $oauth_client_id $upstream_http_x_oauth_client_id;
            auth_request_set $oauth_scopes    $upstream_http_x_oauth_scopes;
            fastcgi_pass unix:@ROOT@/echo.sock;
            fastcgi_param X_OAUTH_USER_ID   $oauth_user_id;
            fastcgi_param X_OAUTH_USERNAME  $oauth_username;
            fastcgi_param X_OAUTH_CLIENT_ID $oauth_client_id;
            fastcgi_param X_OAUTH_SCOPES    $oauth_scopes;
        }
        """

    func signed(_ url: String, client: (id: String, secret: String), token: (String, String)?, extra: [String] = []) throws -> ClientScripts.Signed {
        try ClientScripts.signed(url, client: client, token: token, extra)
    }

    func token(_ server: ProviderServer, client: (id: String, secret: String), scope: String) throws -> (String, String) {
        try ClientScripts.threeLegged(base: server.base, client: client, scope: scope)
    }

    @Test func onlySignedRequestsWithALiveTokenReachOtherPrograms() throws {
        let server = try ProviderServer(workers: 2, settings: ["OAUTH1_SCOPES": "photos.read=See your photos;profile=See your profile"],
                                        extraLocations: Self.locations)
        defer { server.stop() }
        try FileManager.default.createDirectory(atPath: server.root + "/files", withIntermediateDirectories: true)
        try "hello from a static file\n".write(toFile: server.root + "/files/hello.txt", atomically: true, encoding: .utf8)
        let compiled = try ProcessRunner.run("/usr/bin/cc", ["-O2", "-o", server.root + "/echo-fcgi",
                                                             ProcessRunner.repository.appendingPathComponent("Tests/EndToEnd/gate/echo-fcgi.c").path, "-lfcgi"])
        try #require(compiled.status == 0, "\(compiled.stderr)")
        let echo = Process()
        echo.executableURL = URL(fileURLWithPath: "/usr/bin/spawn-fcgi")
        echo.arguments = ["-n", "-s", server.root + "/echo.sock", "-M", "0666", "--", server.root + "/echo-fcgi"]
        echo.standardOutput = FileHandle.nullDevice
        echo.standardError = FileHandle.nullDevice
        try echo.run()
        // SIGKILL: a child of the test process may inherit a blocked SIGTERM, and this small program does not unblock it.
        defer { kill(echo.processIdentifier, SIGKILL); echo.waitForExit() }

        try server.addUser("alice", password: "alice-password")
        let client = try server.addClient(name: "Gallery")
        let photos = try token(server, client: client, scope: "photos.read")
        let profileOnly = try token(server, client: client, scope: "profile")
        let origin = "http://127.0.0.1:\(server.port)"

        let file = try signed(origin + "/files/hello.txt", client: client, token: photos, extra: ["--repeat", "2"])
        #expect(file.statuses == [200, 401], "a signed request reaches the file once; its replay does not")
        #expect(file.bodies.first?.contains("hello from a static file") == true)

        let program = try signed(origin + "/program/list?page=2", client: client, token: photos)
        #expect(program.statuses == [200])
        #expect(program.bodies.first?.contains("username=alice client_id=\(client.id) scopes=photos.read") == true, "\(program.bodies)")

        let wrongScope = try signed(origin + "/program/list", client: client, token: profileOnly)
        #expect(wrongScope.statuses == [403])

        let formBody = try signed(origin + "/files/hello.txt", client: client, token: photos, extra: ["--method", "POST", "--data", "a=1"])
        #expect(formBody.statuses == [401])

        let (unsigned, unsignedText) = try HTTP.get(origin + "/files/hello.txt")
        #expect(unsigned == 401)
        #expect(unsignedText.contains("WWW-Authenticate: OAuth realm=\"oauth1-fcgi\", oauth_problem=\"parameter_absent\""), "\(unsignedText)")
        #expect(!unsignedText.contains("hello from a static file"))

        let revoked = try server.cli(["token", "revoke", photos.0])
        #expect(revoked.status == 0)
        #expect(try signed(origin + "/files/hello.txt", client: client, token: photos).statuses == [401])
        #expect(!server.nginxErrorLog.contains("auth request unexpected status"), "the gate only answers 200, 401 or 403")

        // Two-legged requests from a client flagged for them pass only where a location admits them.
        let service = try server.addClient(name: "Service", extra: ["--two-legged"])
        let closed = try signed(origin + "/files/hello.txt", client: service, token: nil)
        #expect(closed.statuses == [401] && closed.headers.first?.contains("WWW-Authenticate: OAuth realm=\"oauth1-fcgi\", oauth_problem=\"parameter_absent\"") == true,
                "\(closed.headers)")
        let admitted = try signed(origin + "/services/hello.txt", client: service, token: nil)
        #expect(admitted.statuses == [200] && admitted.bodies.first?.contains("hello from a static file") == true, "\(admitted.bodies)")
    }
}
