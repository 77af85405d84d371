import Foundation
import Testing

/// Requests signed with client credentials only (an IMS LTI 1.0 launch: a form POST with the OAuth parameters in the body)
/// and JSON bodies covered by oauth_body_hash, all signed by oauthlib and sent through nginx to GET|POST /oauth/whoami.
@Suite(.serialized) struct TwoLeggedAndBodyHashTests {
    func send(_ url: String, client: (id: String, secret: String), token: (String, String)? = nil, _ extra: [String]) throws -> ClientScripts.Signed {
        try ClientScripts.signed(url, client: client, token: token, extra)
    }

    @Test func ltiLaunchIsAcceptedOnlyFromAFlaggedClient() throws {
        let server = try ProviderServer(workers: 2)
        defer { server.stop() }
        let tool = try server.addClient(name: "LTI consumer", extra: ["--two-legged"])
        let other = try server.addClient(name: "Ordinary client")
        let launch = ["--method", "POST", "--signature-type", "body",
                      "--data", "lti_message_type=basic-lti-launch-request", "--data", "lti_version=LTI-1p0",
                      "--data", "resource_link_id=course-7/unit 3", "--data", "user_id=learner-42",
                      "--data", "roles=Learner", "--data", "lis_person_name_full=Zoë Example"]

        let accepted = try send(server.base + "/whoami", client: tool, launch + ["--repeat", "2"])
        #expect(accepted.statuses == [200, 401], "the launch is accepted once; its replay is not: \(accepted.bodies)")
        #expect(accepted.bodies.first?.contains("\"client_id\": \"\(tool.id)\"") == true && accepted.bodies.first?.contains("\"user\": null") == true,
                "\(accepted.bodies)")
        #expect(accepted.bodies.last?.contains("nonce_used") == true)

        let refused = try send(server.base + "/whoami", client: other, launch)
        #expect(refused.statuses == [400] && refused.bodies.first?.contains("oauth_parameters_absent=oauth_token") == true, "\(refused.bodies)")

        let withCharset = try send(server.base + "/whoami", client: tool, launch + ["--header", "Content-Type: application/x-www-form-urlencoded; charset=utf-8"])
        #expect(withCharset.statuses == [200], "a charset parameter does not change what is signed: \(withCharset.bodies)")

        // A user resource stays closed to two-legged requests even from the flagged client.
        let user = try send(server.base + "/user", client: tool, launch)
        #expect(user.statuses == [403], "\(user.bodies)")
    }

    @Test func jsonBodyHashIsCheckedAndCanBeRequired() throws {
        let server = try ProviderServer(workers: 2)
        defer { server.stop() }
        let outcomes = try server.addClient(name: "Outcomes service", extra: ["--two-legged", "--require-body-hash"])
        let relaxed = try server.addClient(name: "Relaxed service", extra: ["--two-legged"])
        let json = #"{"score": 0.92, "learner": "learner-42"}"#
        let url = server.base + "/whoami"

        #expect(try send(url, client: outcomes, ["--method", "POST", "--json-body", json]).statuses == [200], "oauthlib's oauth_body_hash matches")
        let wrong = try send(url, client: outcomes, ["--method", "POST", "--json-body", json, "--send-body", #"{"score": 1.0, "learner": "learner-42"}"#])
        #expect(wrong.statuses == [401] && wrong.bodies.first?.contains("oauth_body_hash%20does%20not%20match") == true, "\(wrong.bodies)")
        let missing = try send(url, client: outcomes, ["--method", "POST", "--json-body", json, "--unhashed"])
        #expect(missing.statuses == [400] && missing.bodies.first?.contains("oauth_body_hash") == true, "\(missing.bodies)")

        #expect(try send(url, client: relaxed, ["--method", "POST", "--json-body", json, "--unhashed"]).statuses == [200],
                "a client not flagged may leave the body unsigned")
        let relaxedWrong = try send(url, client: relaxed, ["--method", "POST", "--json-body", json, "--send-body", "{}"])
        #expect(relaxedWrong.statuses == [401], "a hash that is sent is always checked: \(relaxedWrong.bodies)")
    }
}
