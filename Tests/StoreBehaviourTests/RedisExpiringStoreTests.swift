import FileAndSQLiteStore
import Foundation
import PostgreSQLAndRedisStore
import ProviderCore
import ProviderStorage
import Synchronization
import Testing
import TestServers

/// What only the Redis store has to show: races between threads, a server that goes away and comes back, the layout of
/// a record, and errors that leave passwords out.
@Suite struct RedisExpiringStoreTests {
    /// A store on its own database of the shared server, with its own key prefix.
    func makeStore(clock: any EpochClock = SystemEpochClock()) throws -> (RedisExpiringStore, RedisServer, Int) {
        let redis = try RedisServer.shared
        let database = redis.claimDatabase()
        return (try RedisExpiringStore(url: redis.url(database: database), secrets: testSealer, clock: clock, keyPrefix: "t\(UUID().uuidString):"),
                redis, database)
    }

    /// Runs `body` on `count` threads released together, and waits for all of them.
    private func race(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let ready = Atomic<Int>(0)
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                ready.add(1, ordering: .sequentiallyConsistent)
                while ready.load(ordering: .sequentiallyConsistent) < count { sched_yield() }
                body(index)
                group.leave()
            }
            thread.start()
        }
        group.wait()
    }

    @Test func everyFieldRoundTripsWithEmptyAndAbsentOptionalsKeptApart() throws {
        let (store, _, _) = try makeStore()
        let now = SystemEpochClock().now()
        let credentials = [
            TemporaryCredential(token: "full", secret: "s e c", clientIdentifier: "client", callback: "https://c.example/cb?a=1&b=2",
                                requestedScopes: ["read", "", "a b", "ü:5"], grantedScopes: ["x"], tokenLifetime: 0, userID: "",
                                verifier: "", expiresAt: now + 300),
            TemporaryCredential(token: "bare", secret: "", clientIdentifier: "", callback: "oob", expiresAt: now + 300),
            TemporaryCredential(token: "one-empty-scope", secret: "x", clientIdentifier: "y", callback: "oob", requestedScopes: [""],
                                tokenLifetime: 3600, userID: "42", verifier: "v", expiresAt: now - 5),
        ]
        for credential in credentials {
            try store.temporaryCredentials.save(credential)
            #expect(try store.temporaryCredentials.temporaryCredential(token: credential.token) == credential)
        }
        #expect(try store.temporaryCredentials.temporaryCredential(token: "absent") == nil)
        // A credential whose user or verifier is present, even empty, counts as authorized.
        #expect(try !store.temporaryCredentials.authorize(token: "full", userID: "7", verifier: "w", grantedScopes: []))
        #expect(try store.temporaryCredentials.authorize(token: "bare", userID: "7", verifier: "w", grantedScopes: ["a", "b c"]))
        #expect(try store.temporaryCredentials.consume(token: "one-empty-scope") == credentials[2])
    }

    @Test func recordsExpireWithTheCredentialAndNoncesByTheirOwnExpiry() throws {
        let (store, redis, database) = try makeStore(clock: FixedTestClock(value: 1_000))
        try store.temporaryCredentials.save(TemporaryCredential(token: "t", secret: "s", clientIdentifier: "c", callback: "oob",
                                                                expiresAt: 1_300))
        #expect(try store.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: "c", token: "", timestamp: 1, nonce: "n"),
                                                expiresAt: 1_600))
        // An expiry already past still stores the nonce, for a second, rather than accepting it again at once.
        #expect(try store.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: "c", token: "", timestamp: 1, nonce: "old"),
                                                expiresAt: 900))
        #expect(try !store.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: "c", token: "", timestamp: 1, nonce: "old"),
                                                 expiresAt: 900))
        let keys = try redis.cli("-n", String(database), "--scan").split(separator: "\n").map(String.init)
        let temporary = try #require(keys.first { $0.hasSuffix(":temporary:t") })
        let ttl = try #require(Int(try redis.cli("-n", String(database), "ttl", temporary)))
        #expect((295...300).contains(ttl))
        let nonceKeys = keys.filter { $0.contains(":nonce:") }
        #expect(nonceKeys.count == 2)
        #expect(nonceKeys.allSatisfy { $0.split(separator: ":").last?.count == 64 }, "a nonce key ends in a SHA-256")
    }

    @Test func noncesWhosePartsShiftAcrossBoundariesAreDifferentNonces() throws {
        let (store, _, _) = try makeStore()
        let expiry = SystemEpochClock().now() + 60
        let nonces = [
            TimestampNonce(clientIdentifier: "ab", token: "c", timestamp: 12, nonce: "3"),
            TimestampNonce(clientIdentifier: "a", token: "bc", timestamp: 12, nonce: "3"),
            TimestampNonce(clientIdentifier: "a", token: "bc", timestamp: 1, nonce: "23"),
            TimestampNonce(clientIdentifier: "a\r\n*3\r\n", token: "\u{0}", timestamp: -1, nonce: "SET x y"),
        ]
        for nonce in nonces { #expect(try store.nonces.insertIfAbsent(nonce, expiresAt: expiry)) }
        for nonce in nonces { #expect(try !store.nonces.insertIfAbsent(nonce, expiresAt: expiry)) }
    }

    @Test(arguments: [false, true])
    func fortyThreadsInsertingOneNonceAndConsumingOneCredentialHaveOneWinnerEach(separateConnections: Bool) throws {
        let (_, redis, database) = try makeStore()
        let prefix = "race\(UUID().uuidString):"
        let first = try RedisExpiringStore(url: redis.url(database: database), secrets: testSealer, keyPrefix: prefix)
        let stores = try (0..<40).map { _ in
            separateConnections ? try RedisExpiringStore(url: redis.url(database: database), secrets: testSealer, keyPrefix: prefix) : first
        }
        let expiry = SystemEpochClock().now() + 60
        try first.temporaryCredentials.save(TemporaryCredential(token: "contested", secret: "s", clientIdentifier: "c",
                                                                callback: "oob", expiresAt: expiry))
        let nonceWins = Atomic<Int>(0)
        let consumeWins = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        race(40) { index in
            do {
                let nonce = TimestampNonce(clientIdentifier: "c", token: "t", timestamp: 1, nonce: "same")
                if try stores[index].nonces.insertIfAbsent(nonce, expiresAt: expiry) { nonceWins.add(1, ordering: .relaxed) }
                if try stores[index].temporaryCredentials.consume(token: "contested") != nil { consumeWins.add(1, ordering: .relaxed) }
            } catch {
                failures.add(1, ordering: .relaxed)
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(nonceWins.load(ordering: .relaxed) == 1)
        #expect(consumeWins.load(ordering: .relaxed) == 1)
    }

    @Test func authorizeRacedByFortyThreadsSucceedsOnce() throws {
        let (store, _, _) = try makeStore()
        try store.temporaryCredentials.save(TemporaryCredential(token: "t", secret: "s", clientIdentifier: "c", callback: "oob",
                                                                expiresAt: SystemEpochClock().now() + 60))
        let wins = Atomic<Int>(0)
        race(40) { index in
            if (try? store.temporaryCredentials.authorize(token: "t", userID: String(index), verifier: "v\(index)",
                                                          grantedScopes: [])) == true {
                wins.add(1, ordering: .relaxed)
            }
        }
        #expect(wins.load(ordering: .relaxed) == 1)
        let authorized = try #require(try store.temporaryCredentials.temporaryCredential(token: "t"))
        #expect(authorized.verifier == "v" + (authorized.userID ?? "-"))
    }

    @Test func aServerThatGoesAwayMakesCallsUnavailableAndTheNextCallAfterItReturnsSucceeds() throws {
        let redis = try RedisServer()
        let store = try RedisExpiringStore(url: redis.url(database: 1), secrets: testSealer, keyPrefix: "outage:")
        let expiry = SystemEpochClock().now() + 60
        try store.checkHealth()
        #expect(try store.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: "c", token: "", timestamp: 1, nonce: "before"),
                                                expiresAt: expiry))
        redis.stop()
        #expect(throws: StoreUnavailableError.self) {
            try store.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: "c", token: "", timestamp: 1, nonce: "during"),
                                            expiresAt: expiry)
        }
        #expect(throws: StoreUnavailableError.self) { try store.temporaryCredentials.consume(token: "x") }
        #expect(throws: StoreUnavailableError.self) { try store.checkHealth() }
        try redis.start()
        try store.checkHealth()
        #expect(try store.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: "c", token: "", timestamp: 1, nonce: "after"),
                                                expiresAt: expiry))
        // Closing (as before a fork) only means the next call connects again.
        store.close()
        #expect(try store.temporaryCredentials.temporaryCredential(token: "x") == nil)
        redis.stop()
    }

    @Test func errorsNameTheServerWithoutItsPasswordAndAWrongTypeIsNotAnOutage() throws {
        let (store, redis, database) = try makeStore()
        #expect(store.kind == "redis")
        #expect(store.location == redis.url(database: database))
        let guarded = try RedisExpiringStore(url: "unix://\(redis.socketPath)?db=0&password=hunter2", secrets: testSealer, keyPrefix: "p:")
        #expect(guarded.location.contains("password=***"))
        #expect(!guarded.location.contains("hunter2"))
        do {
            try guarded.checkHealth()
            Issue.record("AUTH with a password the server does not have should fail")
        } catch {
            #expect(!String(describing: error).contains("hunter2"))
        }
        #expect(throws: RedisURLError.self) { try RedisExpiringStore(url: "http://nowhere", secrets: testSealer) }

        let key = "wrong\(UUID().uuidString):"
        let typed = try RedisExpiringStore(url: redis.url(database: database), secrets: testSealer, keyPrefix: key)
        try redis.cli("-n", String(database), "set", key + "temporary:t", "a string")
        #expect(throws: RedisCommandError.self) { try typed.temporaryCredentials.temporaryCredential(token: "t") }
        #expect(throws: RedisCommandError.self) { try typed.temporaryCredentials.consume(token: "t") }
        try typed.checkHealth()
    }
}

extension RedisExpiringStoreTests {
    @Test func sqliteWithRedisForExpiringStateRunsAWholeFlowAndChecksBothForHealth() throws {
        let (redis, _, _) = try makeStore()
        let directory = NSTemporaryDirectory() + "oauth1-redis-sqlite-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = try StorageConfiguration(data: .sqlite(dataDirectory: directory), expiring: .redis(url: "unused"))
        let stores = try SQLiteStores(storage).providerStores(expiring: redis.expiring)
        #expect(stores.expiringBackend?.kind == "redis")
        #expect(stores.nonces is RedisNonceStore)
        #expect(stores.temporaryCredentials is RedisTemporaryCredentialStore)
        _ = try stores.checkHealth()
        let expiry = SystemEpochClock().now() + 60
        #expect(try stores.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: "c", token: "", timestamp: 1, nonce: "n"),
                                                 expiresAt: expiry))
        try stores.temporaryCredentials.save(TemporaryCredential(token: "t", secret: "s", clientIdentifier: "c", callback: "oob",
                                                                 expiresAt: expiry))
        #expect(try stores.temporaryCredentials.authorize(token: "t", userID: "1", verifier: "v", grantedScopes: []))
        #expect(try stores.temporaryCredentials.consume(token: "t")?.verifier == "v")
        #expect(try redis.temporaryCredentials.temporaryCredential(token: "t") == nil)
    }
}

/// A clock that always says the same second.
private struct FixedTestClock: EpochClock {
    let value: Int64
    func now() -> Int64 { value }
}
