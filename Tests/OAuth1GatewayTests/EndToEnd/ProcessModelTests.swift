import Foundation
import Testing

/// The process model behind real nginx: a killed worker is replaced, workers are recycled after their quota, SIGTERM lets
/// requests in flight finish, and the same binary answers as plain CGI.
@Suite(.serialized) struct ProcessModelTests {
    func waitFor(_ seconds: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func killedWorkerIsReplacedAndServiceContinues() throws {
        let server = try ProviderServer(workers: 2)
        defer { server.stop() }
        let before = server.workerPIDs()
        try #require(before.count == 2)
        kill(before[0], SIGKILL)
        #expect(waitFor(10) { server.supervisorLog.contains("worker \(before[0]) died (killed by signal 9); replacing it") })
        #expect(waitFor(10) { let now = server.workerPIDs(); return now.count == 2 && !now.contains(before[0]) })
        for _ in 0..<6 { #expect(try HTTP.get(server.base + "/health").0 == 200) }
    }

    /// A restart without downtime: a new supervisor binds the same socket path while the old one still serves; the old one,
    /// stopped afterwards, leaves the new socket in place, and requests keep working throughout.
    @Test func newSupervisorTakesOverTheSocketBeforeTheOldOneStops() throws {
        let server = try ProviderServer(workers: 1)
        defer { server.stop() }
        let old = try #require(server.supervisor)
        let replacement = try ProviderData(environment: server.environment)
            .serve(listen: "unix:" + server.socket, log: server.root + "/replacement.log", extra: ["--workers", "1"])
        defer { replacement.terminateGracefully() }
        #expect(waitFor(10) { (try? String(contentsOfFile: server.root + "/replacement.log", encoding: .utf8))?.contains("worker") == true })
        old.terminateGracefully()
        #expect(FileManager.default.fileExists(atPath: server.socket), "the old supervisor left the new socket alone")
        for _ in 0..<5 { #expect(try HTTP.get(server.base + "/health").0 == 200) }
    }

    /// Under steady load, killing one worker fails at most the one request it was serving.
    @Test func killingAWorkerUnderLoadFailsOnlyItsOwnRequest() throws {
        let server = try ProviderServer(workers: 2)
        defer { server.stop() }
        let statuses = ResultBox()
        let stop = ResultBox()
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                while stop.values.isEmpty {
                    statuses.append((try? HTTP.get(server.base + "/health").0) ?? -1)
                }
                group.leave()
            }
        }
        usleep(300_000)
        let victim = try #require(server.workerPIDs().first)
        kill(victim, SIGKILL)
        #expect(waitFor(10) { server.supervisorLog.contains("worker \(victim) died (killed by signal 9); replacing it") })
        usleep(300_000)
        stop.append(1)
        #expect(group.wait(timeout: .now() + 30) == .success)
        let all = statuses.values
        let failed = all.filter { $0 != 200 }
        #expect(all.count > 50, "load was light: \(all.count) requests")
        #expect(failed.count <= 1, "failed: \(failed) of \(all.count)\n\(server.nginxErrorLog.suffix(1500))")
        #expect(server.workerPIDs().count == 2)
    }

    @Test func workersAreRecycledAfterTheirQuota() throws {
        let server = try ProviderServer(workers: 1, maxRequests: 3)
        defer { server.stop() }
        for index in 0..<8 { #expect(try HTTP.get(server.base + "/health").0 == 200, "request \(index)") }
        #expect(waitFor(5) { server.supervisorLog.components(separatedBy: "recycled after its request quota").count - 1 >= 2 })
    }

    /// Two slow requests (password hashing) are in flight in both workers when the supervisor gets SIGTERM: both complete.
    @Test func sigtermLetsRequestsInFlightFinish() throws {
        let server = try ProviderServer(workers: 2)
        defer { server.stop() }
        let (status, page) = try HTTP.get(server.base + "/login")
        try #require(status == 200)
        let cookie = try #require(page.firstMatch(of: /Set-Cookie: (oauth1_form=[^;\r\n]+)/)?.1)
        let csrf = try #require(page.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
        let body = "csrf_token=\(csrf)&username=nobody&password=wrong-password&next=%2Foauth%2F"
        let request = "POST /oauth/login HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nCookie: \(cookie)\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"

        // A worker is in the middle of a request once it has spent CPU time on it (hashing the password takes tens of
        // milliseconds); a worker waiting in accept spends none. Its state alone ("R") is also seen for a worker that is
        // merely runnable on a loaded machine, before it has accepted anything.
        let workers = server.workerPIDs()
        func cpuTicks(_ pid: Int32) -> Int {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 12 ? (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) : 0
        }
        let before = Dictionary(uniqueKeysWithValues: workers.map { ($0, cpuTicks($0)) })
        let results = ResultBox()
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread.detachNewThread {
                let status = (try? HTTP.raw(port: server.port, Array(request.utf8)).0) ?? -1
                results.append(status)
                group.leave()
            }
        }
        let busy = waitFor(5) { workers.allSatisfy { cpuTicks($0) >= (before[$0] ?? 0) + 2 } }
        server.stopSupervisor()
        #expect(group.wait(timeout: .now() + 30) == .success)
        #expect(busy, "both workers were seen hashing a password when SIGTERM was sent")
        #expect(results.values == [401, 401], "requests in flight: \(results.values)\n\(server.nginxErrorLog.suffix(1500))")
        #expect(server.supervisorLog.contains("supervisor stopped"))
        #expect(!server.nginxErrorLog.contains("prematurely closed"))
    }

    /// The binary started as plain CGI (environment and standard input, no socket) answers a request oauthlib signed.
    @Test func cgiModeAnswersASignedRequest() throws {
        let server = try ProviderServer(workers: 1)
        defer { server.stop() }
        let client = try server.addClient(name: "CGI client")
        let url = "http://127.0.0.1:8080/cgi-bin/oauth1-fcgi/initiate"
        let authorization = try OAuthlibSigner.authorizationHeader(url: url, clientID: client.id, clientSecret: client.secret)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OAUTH1_") }
        environment.merge(["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "REQUEST_URI": "/cgi-bin/oauth1-fcgi/initiate",
                           "SCRIPT_NAME": "/cgi-bin/oauth1-fcgi", "PATH_INFO": "/initiate", "HTTP_HOST": "127.0.0.1:8080",
                           "SERVER_PORT": "8080", "CONTENT_LENGTH": "0",
                           "HTTP_AUTHORIZATION": authorization,
                           "OAUTH1_DATA_DIR": server.dataDirectory, "OAUTH1_INSECURE_TRANSPORT": "true"]) { $1 }
        let answer = try ProcessRunner.run(ProcessRunner.binary, [], environment: environment, stdin: "")
        #expect(answer.status == 0)
        #expect(answer.stdout.hasPrefix("Status: 200 OK\r\n"), "\(answer.stdout)\n\(answer.stderr)")
        #expect(answer.stdout.contains("oauth_callback_confirmed=true"))

        environment["REQUEST_URI"] = "/cgi-bin/oauth1-fcgi/initiate?x=1"
        let tampered = try ProcessRunner.run(ProcessRunner.binary, [], environment: environment, stdin: "")
        #expect(tampered.stdout.hasPrefix("Status: 401 "), "\(tampered.stdout)")
        #expect(tampered.stdout.contains("oauth_problem=signature_invalid"))
    }
}

/// Results gathered from several threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items = [Int]()
    func append(_ value: Int) { lock.lock(); items.append(value); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return items.sorted() }
}
