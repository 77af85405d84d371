import Foundation
import Testing

/// The independent OAuth clients in Tests/EndToEnd/clients (Python oauthlib and requests-oauthlib), as the end-to-end tests
/// run them: a signed request, and a whole three-legged flow signed in as alice.
enum ClientScripts {
    static let directory = ProcessRunner.repository.appendingPathComponent("Tests/EndToEnd/clients")

    /// What signed_request.py printed: one status, body and header list per send.
    struct Signed: Decodable { let statuses: [Int]; let bodies: [String]; let headers: [[String]] }

    /// One request signed by oauthlib; `token` nil signs with client credentials only (two-legged).
    static func signed(_ url: String, client: (id: String, secret: String), token: (String, String)? = nil,
                       _ extra: [String] = []) throws -> Signed {
        let credentials = token.map { ["--token", $0.0, "--token-secret", $0.1] } ?? []
        let result = try ProcessRunner.run("/usr/bin/python3", [directory.appendingPathComponent("signed_request.py").path, "--url", url,
                                                                "--client-key", client.id, "--client-secret", client.secret]
                                                               + credentials + extra)
        return try JSONDecoder().decode(Signed.self, from: Data((result.stdout.split(separator: "\n").last ?? "").utf8))
    }

    /// three_legged.py through `base`, signed in as alice / alice-password (or another user); returns the token credential.
    /// With `basicAuth` the browser sends the username and password as HTTP Basic, for a web server that sets REMOTE_USER.
    static func threeLegged(base: String, client: (id: String, secret: String), scope: String? = nil, username: String = "alice",
                            password: String = "alice-password", basicAuth: Bool = false) throws -> (String, String) {
        let result = try ProcessRunner.run("/usr/bin/python3", [directory.appendingPathComponent("three_legged.py").path, "--base", base,
                                                                "--client-key", client.id, "--client-secret", client.secret,
                                                                "--username", username, "--password", password]
                                                               + (scope.map { ["--scope", $0] } ?? []) + (basicAuth ? ["--basic-auth"] : []))
        try #require(result.status == 0, "three_legged.py through \(base): \(result.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((output["user"] as? [String: Any])?["username"] as? String == username)
        return (try #require(output["token"] as? String), try #require(output["token_secret"] as? String))
    }
}
