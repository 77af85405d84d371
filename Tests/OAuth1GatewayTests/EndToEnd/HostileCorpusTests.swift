import Foundation
import Testing

/// Issue 8's bad-input corpus through real nginx: Tests/EndToEnd/clients/hostile_corpus.py sends well over 100 hostile or
/// broken requests (sizes, NUL and invalid UTF-8, bad encodings, duplicated parameters, bad timestamps, nonces and
/// signatures, SQL metacharacters, dangerous callbacks, wrong methods, traversal, CSRF-less and cross-origin forms, forged
/// cookies) and compares each answer with its expected status and oauth_problem. Every refusal is a 4xx with a sentence,
/// nothing is a 5xx, and the workers that served them are the ones still running afterwards.
@Suite struct HostileCorpusTests {
    struct Case: Decodable {
        let name: String
        let status: Int
        let expected: Int
        let problem: String?
        let expected_problem: String?
        let sentence: String
        let ok: Bool
    }
    struct Report: Decodable { let cases: [Case] }

    @Test func everyHostileRequestGetsItsFourHundredAndNoWorkerDies() throws {
        let server = try ProviderServer(workers: 2)
        defer { server.stop() }
        try server.addUser("alice", password: "alice-password")
        let client = try server.addClient(name: "Corpus")
        let token = try ClientScripts.threeLegged(base: server.base, client: client)
        let workers = Set(server.workerPIDs())
        try #require(workers.count == 2)

        let run = try ProcessRunner.run("/usr/bin/python3", [ClientScripts.directory.appendingPathComponent("hostile_corpus.py").path, "--port", String(server.port),
                                                             "--client-key", client.id, "--client-secret", client.secret,
                                                             "--token", token.0, "--token-secret", token.1,
                                                             "--username", "alice", "--password", "alice-password"], timeout: 300)
        let report = try JSONDecoder().decode(Report.self, from: Data((run.stdout.split(separator: "\n").last ?? "").utf8))
        #expect(report.cases.count >= 100, "the corpus has \(report.cases.count) cases")
        for failed in report.cases where !failed.ok {
            Issue.record("\(failed.name): got \(failed.status) \(failed.problem ?? "-"), expected \(failed.expected) \(failed.expected_problem ?? "-"): \(failed.sentence)")
        }
        #expect(report.cases.allSatisfy { $0.status < 500 }, "no 5xx")
        #expect(Set(server.workerPIDs()) == workers, "the same two workers served the whole corpus")
        #expect(!server.supervisorLog.contains("died"), "\(server.supervisorLog.suffix(2000))")
        #expect(try HTTP.get(server.base + "/health").0 == 200)
    }
}
