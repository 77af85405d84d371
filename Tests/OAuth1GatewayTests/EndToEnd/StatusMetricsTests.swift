import Foundation
import Testing

/// `GET /status` and `GET /metrics` behind real nginx and `oauth1-fcgi serve`: counters every worker shares, the workers'
/// states, the supervisor's events, off unless `OAUTH1_STATUS=true`, and refused by the shipped nginx snippet to any
/// address but 127.0.0.1.
@Suite(.serialized) struct StatusMetricsTests {
    /// The value of one sample (`name` or `name{labels}`) in Prometheus text, nil when absent.
    static func sample(_ text: String, _ series: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Int(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// The body of a response from `HTTP.get`.
    static func body(_ response: String) -> String {
        response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
    }

    static func json(_ response: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(body(response).utf8)) as? [String: Any])
    }

    /// The test: scrape, send one refused request, scrape again: that refusal's counter moved by exactly one, and
    /// no other refusal's.
    @Test func oneRefusedRequestMovesItsCounterByOne() throws {
        let server = try ProviderServer(workers: 2, settings: ["OAUTH1_STATUS": "true"])
        defer { server.stop() }
        let (status, before) = try HTTP.get(server.base + "/metrics")
        #expect(status == 200)
        #expect(before.contains("Content-Type: text/plain; version=0.0.4"))
        let problems = ["signature_invalid", "parameter_absent", "consumer_key_unknown", "nonce_used", "timestamp_refused"]
        let countsBefore = problems.map { Self.sample(Self.body(before), "oauth1_refusals_total{oauth_problem=\"\($0)\"}") }
        #expect(countsBefore.allSatisfy { $0 != nil }, "every problem is listed, zeros included")
        let userRefusedBefore = Self.sample(Self.body(before), "oauth1_requests_total{route=\"/user\",status=\"4xx\"}") ?? 0

        // Signed with a wrong secret: the client exists, so the one refusal is signature_invalid.
        let client = try server.addClient(name: "Counted")
        let url = server.base + "/user"
        let authorization = try OAuthlibSigner.authorizationHeader(url: url, method: "GET", clientID: client.id, clientSecret: "not-the-secret")
        let (refused, answer) = try HTTP.get(url, headers: ["Authorization: " + authorization])
        #expect(refused == 401, "\(answer)")
        #expect(answer.contains("oauth_problem=signature_invalid"))

        let (_, after) = try HTTP.get(server.base + "/metrics")
        let countsAfter = problems.map { Self.sample(Self.body(after), "oauth1_refusals_total{oauth_problem=\"\($0)\"}") }
        #expect(countsAfter[0] == countsBefore[0].map { $0 + 1 }, "signature_invalid: \(String(describing: countsBefore[0])) then \(String(describing: countsAfter[0]))")
        #expect(Array(countsAfter.dropFirst()) == Array(countsBefore.dropFirst()), "no other refusal moved")
        #expect(Self.sample(Self.body(after), "oauth1_requests_total{route=\"/user\",status=\"4xx\"}") == userRefusedBefore + 1)
        // The first scrape counted itself on another worker, or the same: either way both workers' counts are in one place.
        #expect((Self.sample(Self.body(after), "oauth1_requests_total{route=\"/metrics\",status=\"2xx\"}") ?? 0) >= 1)
        #expect(Self.sample(Self.body(after), "oauth1_store_up{backend=\"sqlite\"}") == 1)
    }

    /// `/status`: two workers, the one answering counted busy; requests by route across both workers; a killed worker
    /// counted as a restart.
    @Test func statusReportsWorkersRequestsAndRestarts() throws {
        let server = try ProviderServer(workers: 2, settings: ["OAUTH1_STATUS": "true"])
        defer { server.stop() }
        for _ in 0..<6 { #expect(try HTTP.get(server.base + "/health").0 == 200) }
        // The other worker may still be finishing its last probe (its response went out before it marked itself idle).
        var report = [String: Any]()
        let settled = ProcessModelTests().waitFor(5) {
            guard let (status, response) = try? HTTP.get(server.base + "/status"), status == 200,
                  let parsed = try? Self.json(response) else { return false }
            report = parsed
            #expect((parsed["active_workers"] as? Int ?? 0) >= 1, "the worker answering is always busy")
            return parsed["idle_workers"] as? Int == 1
        }
        #expect(settled, "\(report)")
        #expect(report["total_workers"] as? Int == 2)
        #expect(report["active_workers"] as? Int == 1, "the worker answering this request is busy, the other idle")
        let byRoute = try #require(report["requests_by_route"] as? [String: [String: Int]])
        #expect((byRoute["/health"]?["2xx"] ?? 0) >= 7, "the six probes and the start-up check: \(byRoute)")
        #expect(report["worker_restarts"] as? Int == 0)
        let store = try #require(report["store"] as? [String: Any])
        #expect(store["backend"] as? String == "sqlite")
        #expect(store["answers"] as? Bool == true)
        let started = try #require(report["start_time"] as? Int)
        #expect(abs(started - Int(Date().timeIntervalSince1970)) < 120)

        let victim = try #require(server.workerPIDs().first)
        kill(victim, SIGKILL)
        let replaced = ProcessModelTests().waitFor(10) { let now = server.workerPIDs(); return now.count == 2 && !now.contains(victim) }
        #expect(replaced)
        usleep(300_000)
        let later = try Self.json(try HTTP.get(server.base + "/status").1)
        #expect(later["worker_restarts"] as? Int == 1)
        #expect(later["total_workers"] as? Int == 2, "the dead worker's slot was freed")
        #expect((later["accepted_requests"] as? Int ?? 0) > (report["accepted_requests"] as? Int ?? 0), "counts survive a worker")
    }

    /// Off by default: both paths are unknown routes.
    @Test func offUnlessEnabled() throws {
        let server = try ProviderServer(workers: 1)
        defer { server.stop() }
        #expect(try HTTP.get(server.base + "/status").0 == 404)
        #expect(try HTTP.get(server.base + "/metrics").0 == 404)
    }

    /// The shipped nginx snippet answers 127.0.0.1 and refuses another address, even one of this host.
    @Test func nginxSnippetAdmitsOnlyLoopback() throws {
        let server = try ProviderServer(workers: 1, settings: ["OAUTH1_STATUS": "true"])
        defer { server.stop() }
        #expect(try HTTP.get(server.base + "/metrics").0 == 200)
        #expect(try HTTP.get(server.base + "/metrics", from: "127.0.0.2").0 == 403)
        #expect(try HTTP.get(server.base + "/status", from: "127.0.0.2").0 == 403)
        #expect(try HTTP.get(server.base + "/health", from: "127.0.0.2").0 == 200, "the rest of the app is not restricted")
    }

    /// Plain CGI has no supervisor to own the counters: `/status` says so with a 503 instead of inventing figures.
    @Test func withoutTheSupervisorStatusIsUnavailable() throws {
        let root = ProviderServer.makeTemporaryDirectory("oauth1-cgi-status")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OAUTH1_") }
        environment.merge(["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "REQUEST_URI": "/oauth/status",
                           "SCRIPT_NAME": "/oauth", "PATH_INFO": "/status", "HTTP_HOST": "127.0.0.1:8080", "SERVER_PORT": "8080",
                           "OAUTH1_DATA_DIR": root + "/data", "OAUTH1_INSECURE_TRANSPORT": "true", "OAUTH1_STATUS": "true"]) { $1 }
        let answer = try ProcessRunner.run(ProcessRunner.binary, [], environment: environment, stdin: "")
        #expect(answer.stdout.hasPrefix("Status: 503 "), "\(answer.stdout)\n\(answer.stderr)")
        #expect(answer.stdout.contains("oauth1-fcgi serve"))
    }
}
