import Foundation
import Glibc
import Testing
import TestServers

/// Two provider hosts on one PostgreSQL database and one Redis, behind one nginx: any host answers any step of a flow,
/// a nonce is accepted once across all of them, and a revocation reaches both at their next request.
@Suite struct SeveralHostsTests {
    /// Two hosts on a fresh database of the shared test PostgreSQL and a Redis database of their own.
    func twoHosts(redis: Bool = true) throws -> SeveralHosts {
        let postgres = try PostgreSQLServer.shared
        let database = try postgres.createUniqueDatabase(prefix: "hosts")
        let sharedRedis = try RedisServer.shared
        let redisURL = redis ? sharedRedis.url(database: sharedRedis.claimDatabase()) : nil
        return try SeveralHosts(databaseURL: postgres.url(database: database), redisURL: redisURL)
    }

    @Test func aFlowWhoseStepsLandOnDifferentHostsSucceedsAndItsSessionIsValidOnBoth() throws {
        let site = try twoHosts()
        let client = try site.seed()
        let token = try ClientScripts.threeLegged(base: site.base, client: client)
        let steps = site.requests.filter { ["/oauth/initiate", "/oauth/authorize", "/oauth/login", "/oauth/token", "/oauth/user"].contains($0.path) }
        #expect(Set(steps.compactMap(\.host)) == [0, 1], "\(steps)")
        let initiate = steps.first { $0.path == "/oauth/initiate" }?.host
        let consent = steps.last { $0.method == "POST" && $0.path == "/oauth/authorize" }?.host
        let exchange = steps.first { $0.path == "/oauth/token" }?.host
        #expect(Set([initiate, consent, exchange].compactMap { $0 }).count == 2, "initiate, consent and token all on one host: \(steps)")

        // The token works on both hosts; a session started on one is valid on the other.
        let signed = try ClientScripts.signed(site.base + "/user", client: client, token: token, ["--repeat", "1"])
        #expect(signed.statuses == [200])
        let browser = Browser(port: site.port)
        try browser.signIn("alice", "alice-password")
        let before = site.requests.count
        for _ in 0..<2 {
            let page = try browser.get("/oauth/account/applications")
            #expect(page.status == 200 && page.text.contains("Printer"), "\(page.text.prefix(300))")
        }
        #expect(Set(site.requests.dropFirst(before).compactMap(\.host)) == [0, 1])
    }

    @Test(arguments: [true, false])
    func fortyIdenticalRequestsAtOnceAreAcceptedOnce(redis: Bool) throws {
        let site = try twoHosts(redis: redis)
        let client = try site.seed()
        let token = try ClientScripts.threeLegged(base: site.base, client: client)
        let result = try LoadResult.run(url: site.base + "/user", client: client, token: token, ["--replay", "40"])
        #expect(result.count(200) == 1, "\(result.statuses)")
        #expect(result.count(401) == 39, "\(result.statuses)")
        #expect(result.bodies.contains { $0.contains("nonce_used") })
        let replays = site.requests.filter { $0.path == "/oauth/user" }.suffix(40)
        #expect(Set(replays.compactMap(\.host)) == [0, 1], "the replays reached one host only")
    }

    @Test func aTokenRevokedThroughTheCLIFailsAtItsNextRequestOnBothHosts() throws {
        let site = try twoHosts()
        let client = try site.seed()
        let token = try ClientScripts.threeLegged(base: site.base, client: client)
        // Both hosts' workers have the token cached now.
        let warm = try ClientScripts.signed(site.base + "/user", client: client, token: token, ["--repeat", "1"])
        #expect(warm.statuses == [200])
        for _ in 0..<4 { _ = try ClientScripts.signed(site.base + "/user", client: client, token: token) }
        let revoked = try site.cli(["token", "revoke", token.0], host: 1)
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let before = site.requests.count
        for _ in 0..<4 {
            let after = try ClientScripts.signed(site.base + "/user", client: client, token: token)
            #expect(after.statuses == [401] && after.bodies.first?.contains("token_revoked") == true, "\(after.bodies)")
        }
        #expect(Set(site.requests.dropFirst(before).compactMap(\.host)) == [0, 1])
    }

    @Test func aSQLiteSiteCopiedToPostgreSQLKeepsItsTokens() throws {
        // A SQLite site with a user, a client and a token from a real flow.
        let sqlite = try ProviderServer()
        try sqlite.addUser("alice", password: "alice-password")
        let client = try sqlite.addClient(name: "Printer")
        let token = try ClientScripts.threeLegged(base: sqlite.base, client: client)
        sqlite.stopSupervisor()

        let postgres = try PostgreSQLServer.shared
        let database = try postgres.createUniqueDatabase(prefix: "copy")
        let url = postgres.url(database: database)
        let copied = try sqlite.cli(["copy", "--to", url])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("copied 1 users, 1 clients, 1 token credentials and the session key"), "\(copied.stdout)")
        let again = try sqlite.cli(["copy", "--to", url])
        #expect(again.status != 0 && again.stderr.contains("copy only into an empty database"), "\(again.stderr)")

        let keyFile = sqlite.dataDirectory + "/secrets.key"
        #expect(copied.stdout.contains("secrets are sealed under \(keyFile)"), "\(copied.stdout)")
        let dump = try postgres.dump(database: database)
        #expect(dump.contains("enc1:") && !dump.contains(client.secret) && !dump.contains(token.1), "the copy holds secrets sealed")

        let site = try SeveralHosts(databaseURL: url, redisURL: nil, secretsKeyFile: keyFile)
        let result = try ClientScripts.signed(site.base + "/user", client: client, token: token, ["--repeat", "1"])
        #expect(result.statuses == [200])
        #expect(result.bodies.first?.contains("\"username\": \"alice\"") == true || result.bodies.first?.contains("alice") == true)
        // alice's password hash came along: she signs in on the new site.
        let browser = Browser(port: site.port)
        try browser.signIn("alice", "alice-password")
    }
}

/// PostgreSQL and Redis stopped under load: refusals are 503 (never 500, never a 200 without a recorded nonce), the
/// workers keep running, and requests succeed again once the server is back, with no token credential lost. Each test
/// has servers of its own, since it stops them.
@Suite struct StoreOutageTests {
    @Test func postgreSQLStoppedUnderLoadAnswers503AndRecovers() throws {
        let postgres = try PostgreSQLServer()
        let database = try postgres.createUniqueDatabase(prefix: "outage")
        let site = try SeveralHosts(databaseURL: postgres.url(database: database), redisURL: nil)
        let client = try site.seed()
        let token = try ClientScripts.threeLegged(base: site.base, client: client)
        let workers = site.hosts.map(\.workerPIDs)

        let load = Background.run {
            try LoadResult.run(url: site.base + "/user", client: client, token: token, ["--seconds", "8", "--threads", "4"])
        }
        usleep(1_500_000)
        try postgres.stop(mode: .immediate)
        let (status, body) = try HTTP.get(site.base + "/health")
        #expect(status == 503, "\(body)")
        usleep(2_500_000)
        try postgres.start()
        let result = try load.value()
        #expect(result.unexpected.isEmpty, "\(result.unexpected)")
        #expect(result.count(503) > 0, "PostgreSQL was down for 2.5 s yet nothing was refused: \(result.statuses)")
        #expect(result.count(200) > 0)

        // Back: the next requests succeed, the token survived, no worker was replaced.
        let after = try ClientScripts.signed(site.base + "/user", client: client, token: token)
        #expect(after.statuses == [200], "\(after.bodies)")
        #expect(try HTTP.get(site.base + "/health").0 == 200)
        #expect(site.hosts.map(\.workerPIDs) == workers, "workers were restarted")
    }

    @Test func redisRestartedUnderLoadAnswers503AndRecovers() throws {
        let postgres = try PostgreSQLServer.shared
        let database = try postgres.createUniqueDatabase(prefix: "redisoutage")
        let redis = try RedisServer()
        let site = try SeveralHosts(databaseURL: postgres.url(database: database), redisURL: redis.url(database: 0))
        let client = try site.seed()
        let token = try ClientScripts.threeLegged(base: site.base, client: client)
        let workers = site.hosts.map(\.workerPIDs)

        let load = Background.run {
            try LoadResult.run(url: site.base + "/user", client: client, token: token, ["--seconds", "8", "--threads", "4"])
        }
        usleep(1_500_000)
        redis.stop(signal: SIGKILL)
        usleep(2_500_000)
        try redis.start()
        let result = try load.value()
        #expect(result.unexpected.isEmpty, "\(result.unexpected)")
        #expect(result.count(503) > 0, "Redis was down for 2.5 s yet nothing was refused: \(result.statuses)")

        let after = try ClientScripts.signed(site.base + "/user", client: client, token: token)
        #expect(after.statuses == [200], "\(after.bodies)")
        #expect(site.hosts.map(\.workerPIDs) == workers, "workers were restarted")
    }
}

/// A value computed on a thread of its own, for running a blocking load generator beside the test's own steps.
final class Background<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, any Error>?

    static func run(_ body: @escaping @Sendable () throws -> Value) -> Background<Value> {
        let thread = Background<Value>()
        DispatchQueue.global().async {
            thread.result = Result { try body() }
            thread.done.signal()
        }
        return thread
    }

    func value() throws -> Value {
        done.wait()
        guard let result else { throw ServerError("the background work left no result") }
        return try result.get()
    }
}
