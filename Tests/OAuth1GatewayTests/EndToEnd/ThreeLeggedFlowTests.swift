import Foundation
import Testing

/// The seed's whole flow through real nginx and the real binary, driven by independent clients: Python requests-oauthlib
/// and Ruby's oauth gem; the user signs in and approves through the real HTML forms, then GET /user returns that user.
@Suite(.serialized) struct ThreeLeggedFlowTests {
    static let clients = ProcessRunner.repository.appendingPathComponent("Tests/EndToEnd/clients")

    /// An RSA key pair made with the openssl command line for the RSA-SHA1 flows.
    static func rsaKeyPair(in directory: String) throws -> (privateKey: String, certificate: String) {
        let key = directory + "/client-key.pem"
        let certificate = directory + "/client-cert.pem"
        let result = try ProcessRunner.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                                                               "-days", "2", "-subj", "/CN=e2e-client"])
        #expect(result.status == 0, "openssl: \(result.stderr)")
        return (key, certificate)
    }

    struct FlowOutput: Decodable {
        struct User: Decodable { let id: Int; let username: String }
        let user: User
        let token: String
        let token_secret: String
    }

    func runFlow(_ interpreter: String, _ script: String, server: ProviderServer, client: (id: String, secret: String),
                 method: String, callback: String, rsaKey: String?) throws -> FlowOutput? {
        var arguments = [Self.clients.appendingPathComponent(script).path, "--base", server.base, "--client-key", client.id,
                         "--client-secret", client.secret, "--signature-method", method, "--callback", callback,
                         "--username", "alice", "--password", "alice-password"]
        if let rsaKey { arguments += ["--rsa-private-key", rsaKey] }
        let result = try ProcessRunner.run(interpreter, arguments, timeout: 90)
        guard result.status == 0, let line = result.stdout.split(separator: "\n").last else {
            Issue.record("\(script) \(method) \(callback) failed (\(result.status)): \(result.stderr)\nsupervisor: \(server.supervisorLog.suffix(2000))")
            return nil
        }
        return try JSONDecoder().decode(FlowOutput.self, from: Data(line.utf8))
    }

    @Test func everyMethodWithBothClientLibraries() throws {
        let server = try ProviderServer()
        defer { server.stop() }
        try server.addUser("alice", password: "alice-password")
        try server.addUser("bob", password: "bob-password")
        let keys = try Self.rsaKeyPair(in: server.root)
        let hmacClient = try server.addClient(name: "Printer", extra: ["--callback", "oob", "--callback", "http://client.invalid/cb"])
        let rsaClient = try server.addClient(name: "Jira", extra: ["--rsa-public-key", keys.certificate])

        var tokens = Set<String>()
        for (interpreter, script) in [("/usr/bin/python3", "three_legged.py"), ("/usr/bin/ruby", "three_legged.rb")] {
            for (method, client, callback) in [("HMAC-SHA1", hmacClient, "http://client.invalid/cb"), ("PLAINTEXT", hmacClient, "oob"),
                                               ("RSA-SHA1", rsaClient, "oob")] {
                let output = try runFlow(interpreter, script, server: server, client: client, method: method, callback: callback,
                                         rsaKey: method == "RSA-SHA1" ? keys.privateKey : nil)
                #expect(output?.user.username == "alice", "\(script) \(method)")
                if let output { tokens.insert(output.token) }
            }
        }
        #expect(tokens.count == 6)
        let listed = try server.cli(["token", "list", "--user", "alice", "--json"])
        #expect(listed.status == 0)
        for token in tokens { #expect(listed.stdout.contains(token)) }
    }

    /// Protocol parameters in the body and the query as well as the header; and a user who denies, with a callback and with oob.
    @Test func signatureLocationsAndDenial() throws {
        let server = try ProviderServer()
        defer { server.stop() }
        try server.addUser("alice", password: "alice-password")
        let client = try server.addClient(name: "Printer")
        let script = Self.clients.appendingPathComponent("three_legged.py").path
        let common = ["--base", server.base, "--client-key", client.id, "--client-secret", client.secret, "--username", "alice", "--password", "alice-password"]
        for location in ["body", "query", "header"] {
            let result = try ProcessRunner.run("/usr/bin/python3", [script, "--signature-type", location, "--callback", "http://client.invalid/cb"] + common)
            #expect(result.status == 0, "\(location): \(result.stderr)")
            #expect(result.stdout.contains("\"username\": \"alice\""), "\(location)")
        }
        for callback in ["oob", "http://client.invalid/cb"] {
            let denied = try ProcessRunner.run("/usr/bin/python3", [script, "--expect-deny", "--callback", callback] + common)
            #expect(denied.status == 0, "deny with \(callback): \(denied.stderr)")
            #expect(denied.stdout.contains("\"denied\": true") || denied.stdout.contains("\"denied\":true"), "\(denied.stdout)")
        }
    }

    /// Scopes through the real pages: granted scopes land on the token, an unknown scope is refused naming it, and a route
    /// that requires a scope refuses a token without it.
    @Test func scopesGrantedRefusedAndRequired() throws {
        let server = try ProviderServer(settings: ["OAUTH1_SCOPES": "profile=See your profile;photos.read=See your photos",
                                                   "OAUTH1_USER_SCOPE": "profile"])
        defer { server.stop() }
        try server.addUser("alice", password: "alice-password")
        let client = try server.addClient(name: "Printer")
        let script = Self.clients.appendingPathComponent("three_legged.py").path
        let common = ["--base", server.base, "--client-key", client.id, "--client-secret", client.secret, "--username", "alice", "--password", "alice-password"]

        let granted = try ProcessRunner.run("/usr/bin/python3", [script, "--scope", "profile photos.read"] + common)
        #expect(granted.status == 0, "\(granted.stderr)")
        let tokens = try server.cli(["token", "list", "--json"])
        #expect(tokens.stdout.contains("\"scopes\": [\"profile\", \"photos.read\"]"), "\(tokens.stdout)")

        let unknown = try ProcessRunner.run("/usr/bin/python3", [script, "--scope", "admin"] + common)
        #expect(unknown.status != 0 && unknown.stderr.contains("admin"), "\(unknown.stderr)")

        let withoutProfile = try ProcessRunner.run("/usr/bin/python3", [script, "--scope", "photos.read"] + common)
        #expect(withoutProfile.status != 0 && withoutProfile.stderr.contains("permission_denied"), "\(withoutProfile.stderr)")
    }
}
