import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Testing

/// The FastCGI Authorizer role as Apache's mod_authnz_fcgi drives it: the parameters of the original request, no body, and
/// an answer whose 200 carries nothing but Variable-* headers (Apache adds an authorizer's other headers to the response).
@Suite struct AuthorizerRoleTests {
    func exchange(_ fixture: ApplicationTests.Fixture, _ extra: [String: String]) -> String {
        var environment = ["FCGI_ROLE": "AUTHORIZER", "REQUEST_METHOD": "GET", "REQUEST_URI": "/protected/report.txt?page=2",
                           "HTTP_HOST": "site.example:8080", "SERVER_PORT": "8080", "REMOTE_ADDR": "192.0.2.9"]
        environment.merge(extra) { $1 }
        let decoder = GatewayRequestDecoder(trustedProxies: [], maximumBodyBytes: 1024, configuredMountPath: nil)
        let bytes = GatewayExchange.respond(environment: GatewayEnvironment(environment), application: fixture.application, decoder: decoder) { _ in
            Issue.record("an authorizer never reads a body")
            return []
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// PLAINTEXT over a two-legged client: the signature is the secrets themselves, so no signing code of ours is involved.
    func plaintext(_ client: String, _ secret: String, nonce: String) -> String {
        "OAuth oauth_consumer_key=\"\(client)\", oauth_signature_method=\"PLAINTEXT\", oauth_signature=\"\(secret)%26\", "
            + "oauth_timestamp=\"\(Int(Date().timeIntervalSince1970))\", oauth_nonce=\"\(nonce)\", oauth_version=\"1.0\""
    }

    @Test func grantedRequestGetsVariablesOnlyAndRefusalsGetTheProblem() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_SUPPORTED_SIGNATURE_METHODS": "HMAC-SHA1,PLAINTEXT"])
        let client = try fixture.application.parts().stores.clients.register(name: "Reporter", allowsTwoLegged: true)
        let header = plaintext(client.identifier, client.secret, nonce: "n-\(UUID().uuidString)")

        let closed = exchange(fixture, ["HTTP_AUTHORIZATION": plaintext(client.identifier, client.secret, nonce: "n0-\(UUID().uuidString)")])
        #expect(closed.hasPrefix("Status: 401 Unauthorized\r\n") && closed.contains("two-legged"), "a location admits two-legged requests only when it says so: \(closed)")

        let granted = exchange(fixture, ["HTTP_AUTHORIZATION": header, "OAUTH_ALLOW_TWO_LEGGED": "on"])
        #expect(granted == "Status: 200 OK\r\nVariable-OAUTH_CLIENT_ID: \(client.identifier)\r\nVariable-OAUTH_SCOPES: \r\n\r\n", "\(granted)")

        let replayed = exchange(fixture, ["HTTP_AUTHORIZATION": header, "OAUTH_ALLOW_TWO_LEGGED": "on"])
        #expect(replayed.hasPrefix("Status: 401 Unauthorized\r\n"))
        #expect(replayed.contains("WWW-Authenticate: OAuth realm=\"oauth1-fcgi\", oauth_problem=\"nonce_used\"\r\n"), "\(replayed)")

        let unsigned = exchange(fixture, [:])
        #expect(unsigned.hasPrefix("Status: 401 Unauthorized\r\n") && unsigned.contains("oauth_problem=\"parameter_absent\""))

        let scoped = exchange(fixture, ["HTTP_AUTHORIZATION": plaintext(client.identifier, client.secret, nonce: "n2-\(UUID().uuidString)"),
                                        "OAUTH_REQUIRED_SCOPE": "photos.read", "OAUTH_ALLOW_TWO_LEGGED": "on"])
        #expect(scoped.hasPrefix("Status: 403 Forbidden\r\n"), "\(scoped)")

        let formPost = exchange(fixture, ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded",
                                          "HTTP_AUTHORIZATION": plaintext(client.identifier, client.secret, nonce: "n3-\(UUID().uuidString)")])
        #expect(formPost.hasPrefix("Status: 401 Unauthorized\r\n") && formPost.contains("sees%20no%20request%20body"), "\(formPost)")
    }
}
