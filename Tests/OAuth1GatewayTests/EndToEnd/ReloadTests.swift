import Foundation
import Testing

/// SIGHUP to `oauth1-fcgi serve --config FILE` behind real nginx: the file is read again, an invalid one is refused with
/// the key named and the workers left as they were, a valid one replaces the workers one at a time, and under continuous
/// load not one request fails, a slow request in flight on an old worker included.
@Suite(.serialized) struct ReloadTests {
    let wait = ProcessModelTests().waitFor

    /// The realm a 401 names: OAUTH1_REALM as the worker that answered has it.
    func realm(_ server: ProviderServer) throws -> String {
        let url = server.base + "/user"
        let authorization = try OAuthlibSigner.authorizationHeader(url: url, method: "GET", clientID: "no-such-client", clientSecret: "x")
        let (status, response) = try HTTP.get(url, headers: ["Authorization: " + authorization])
        #expect(status == 401, "\(response)")
        return response.firstMatch(of: /WWW-Authenticate: OAuth realm="([^"]*)"/).map { String($0.1) } ?? "(none)"
    }

    /// A sign-in POST with a wrong password: scrypt keeps a worker busy for a while, then 401.
    func slowLogin(_ server: ProviderServer) throws -> [UInt8] {
        let (status, page) = try HTTP.get(server.base + "/login")
        try #require(status == 200)
        let cookie = try #require(page.firstMatch(of: /Set-Cookie: (oauth1_form=[^;\r\n]+)/)?.1)
        let csrf = try #require(page.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
        let body = "csrf_token=\(csrf)&username=nobody&password=wrong-password&next=%2Foauth%2F"
        return Array("POST /oauth/login HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nCookie: \(cookie)\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
    }

    func occurrences(_ text: String, _ line: String) -> Int { text.components(separatedBy: line).count - 1 }

    @Test func threeReloadsUnderLoadWithOneInvalidFailNoRequest() throws {
        let root = ProviderServer.makeTemporaryDirectory("oauth1-reload")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = root + "/oauth1-fcgi.conf"
        func write(_ text: String) throws { try text.write(toFile: config, atomically: true, encoding: .utf8) }
        try write("# as systemd's EnvironmentFile reads it\nOAUTH1_REALM=first\nOAUTH1_STATUS=true\n")
        // The environment says otherwise: the --config file wins, or a reload could never change a key set at start.
        let server = try ProviderServer(workers: 2, settings: ["OAUTH1_REALM": "from-environment"], serveArguments: ["--config", config])
        defer { server.stop() }
        let supervisor = try #require(server.supervisor).processIdentifier
        #expect(try realm(server) == "first")

        let statuses = ResultBox()
        let stop = ResultBox()
        let group = DispatchGroup()
        for _ in 0..<3 {
            group.enter()
            Thread.detachNewThread {
                while stop.values.isEmpty { statuses.append((try? HTTP.get(server.base + "/health").0) ?? -1) }
                group.leave()
            }
        }
        let slow = ResultBox()
        func reload(expectingCompleted completed: Int) throws {
            // A slow request in flight when the signal arrives: it finishes on its old worker.
            let login = try slowLogin(server)
            group.enter()
            Thread.detachNewThread {
                slow.append((try? HTTP.raw(port: server.port, login).0) ?? -1)
                group.leave()
            }
            usleep(30_000)
            let before = Set(server.workerPIDs())
            kill(supervisor, SIGHUP)
            #expect(wait(30) { occurrences(server.supervisorLog, "reload complete") == completed }, "\(server.supervisorLog)")
            #expect(wait(30) { let now = Set(server.workerPIDs()); return now.count == 2 && now.isDisjoint(with: before) },
                    "every old worker left: \(before) then \(server.workerPIDs())\n\(server.supervisorLog)")
        }

        usleep(300_000)
        try write("OAUTH1_REALM=second\nOAUTH1_STATUS=true\n")
        try reload(expectingCompleted: 1)
        #expect(try realm(server) == "second")

        let workers = Set(server.workerPIDs())
        try write("OAUTH1_REALM=third\nOAUTH1_STATUS=true\nOAUTH1_TOKEN_LENGTH=lots\n")
        kill(supervisor, SIGHUP)
        #expect(wait(10) { server.supervisorLog.contains("reload refused") }, "\(server.supervisorLog)")
        let refusal = server.supervisorLog.split(separator: "\n").first { $0.contains("reload refused") }.map(String.init) ?? ""
        #expect(refusal.contains("OAUTH1_TOKEN_LENGTH"), "the log line names the key: \(refusal)")
        usleep(300_000)
        #expect(Set(server.workerPIDs()) == workers, "no worker was replaced")
        #expect(try realm(server) == "second")

        try write("OAUTH1_REALM=third\nOAUTH1_STATUS=true\n")
        try reload(expectingCompleted: 2)
        #expect(try realm(server) == "third")

        usleep(300_000)
        stop.append(1)
        #expect(group.wait(timeout: .now() + 60) == .success)
        let all = statuses.values
        #expect(all.count > 100, "load was light: \(all.count) requests")
        #expect(all.allSatisfy { $0 == 200 }, "failed: \(all.filter { $0 != 200 }) of \(all.count)\n\(server.nginxErrorLog.suffix(2000))")
        #expect(slow.values == [401, 401], "the sign-ins in flight were answered: \(slow.values)")
        #expect(!server.nginxErrorLog.contains("prematurely closed"))
        #expect(!server.nginxErrorLog.contains("reset by peer"))
        #expect(!server.nginxErrorLog.contains("failed (111"), "nginx always found the socket listening")

        let metrics = try HTTP.get(server.base + "/metrics").1
        #expect(StatusMetricsTests.sample(metrics, "oauth1_reloads_total") == 2)
        #expect(StatusMetricsTests.sample(metrics, "oauth1_reload_failures_total") == 1)
        #expect(StatusMetricsTests.sample(metrics, "oauth1_worker_restarts_total") == 0, "retired workers are not deaths")
    }

    /// `check-config --config FILE` checks what `serve --config FILE` would run with: the file over the environment, and
    /// an invalid value refused with its key named, so an operator can check an edit before sending SIGHUP.
    @Test func checkConfigReadsTheFileAsServeDoes() throws {
        let root = ProviderServer.makeTemporaryDirectory("oauth1-check")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = root + "/oauth1-fcgi.conf"
        try "OAUTH1_REALM=\"from the file\"\nOAUTH1_STATUS=true\n".write(toFile: config, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OAUTH1_") }
        environment["OAUTH1_DATA_DIR"] = root + "/data"
        environment["OAUTH1_REALM"] = "from-environment"
        let good = try ProcessRunner.run(ProcessRunner.binary, ["check-config", "--config", config], environment: environment, stdin: "")
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("OAUTH1_REALM=from the file\n"), "\(good.stdout)")
        #expect(good.stdout.contains("OAUTH1_STATUS=true\n"))

        try "OAUTH1_STATUS=maybe\n".write(toFile: config, atomically: true, encoding: .utf8)
        let bad = try ProcessRunner.run(ProcessRunner.binary, ["check-config", "--config", config], environment: environment, stdin: "")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("OAUTH1_STATUS is 'maybe'"), "\(bad.stderr)")
    }
}
