import ProviderCore
import ProviderStorage
import Testing

/// The purge removes what has expired, wherever the backend keeps it, and leaves what is still live.
@Suite struct HousekeepingBehaviourTests {
    @Test(arguments: TestBackend.available)
    func purgeRemovesExpiredSessionsAndTemporaryCredentials(_ backend: TestBackend) throws {
        let clock = TestClock()
        let seed = try seeded(backend, clock: clock)
        let stores = seed.stores
        let short = try stores.sessions.create(userID: seed.user.id, lifetime: 60)
        let long = try stores.sessions.create(userID: seed.user.id, lifetime: 3600)
        for (token, lifetime) in [("short", Int64(10)), ("long", Int64(1000))] {
            try stores.temporaryCredentials.save(TemporaryCredential(token: token, secret: "s", clientIdentifier: "printer", callback: "oob",
                                                                     expiresAt: clock.now() + lifetime))
        }
        clock.advance(60)
        let report = try stores.purge()
        #expect(report.sessions == 1)
        #expect(try stores.sessions.session(identifier: short.identifier) == nil)
        #expect(try stores.sessions.session(identifier: long.identifier) == long.record)
        #expect(try stores.temporaryCredentials.temporaryCredential(token: "long") != nil)
        if stores.expiringBackend == nil {
            // In Redis temporary credentials expire by themselves and the purge has nothing to count.
            #expect(report.temporaryCredentials == 1)
            #expect(try stores.temporaryCredentials.temporaryCredential(token: "short") == nil)
        }
        #expect(try stores.purge() == PurgeReport(), "a second purge finds nothing")
    }

    @Test(arguments: TestBackend.available)
    func purgeForgetsExpiredNoncesAndKeepsLiveOnes(_ backend: TestBackend) throws {
        let clock = TestClock()
        let seed = try seeded(backend, clock: clock)
        let nonces = seed.stores.nonces
        let start = clock.now()
        let expiring = (0..<5).map { TimestampNonce(clientIdentifier: "printer", token: "", timestamp: start, nonce: "old-\($0)") }
        for nonce in expiring { #expect(try nonces.insertIfAbsent(nonce, expiresAt: start + 600)) }
        // Well past the expiry: a backend may keep a nonce up to a partition span (64 s) and a minute longer.
        clock.advance(1_000)
        let live = TimestampNonce(clientIdentifier: "printer", token: "", timestamp: clock.now(), nonce: "live")
        #expect(try nonces.insertIfAbsent(live, expiresAt: clock.now() + 600))
        let report = try seed.stores.purge()
        #expect(try !nonces.insertIfAbsent(live, expiresAt: clock.now() + 600), "a live nonce survives the purge")
        if seed.stores.expiringBackend == nil {
            #expect(report.nonces == 5)
            #expect(try nonces.insertIfAbsent(expiring[0], expiresAt: clock.now() + 600), "a purged nonce is forgotten")
        }
    }

    @Test(arguments: TestBackend.available)
    func purgeDropsSignInCountersADayOldButKeepsRunningLocks(_ backend: TestBackend) throws {
        let clock = TestClock()
        let seed = try seeded(backend, clock: clock)
        let throttle = seed.stores.loginThrottle
        let policy = LoginThrottlePolicy(maximumFailures: 2, window: 200_000, lockout: 200_000)
        try throttle.recordFailure([("locked", policy), ("stale", policy)])
        try throttle.recordFailure([("locked", policy)])
        clock.advance(86_400 + 1)
        #expect(try seed.stores.purge().sessions == 1, "the day-old counter is removed")
        #expect(try throttle.lockedFor(["locked"]) == 200_000 - 86_401, "a running lock survives the purge")
        try throttle.recordFailure([("stale", policy)])
        #expect(try throttle.lockedFor(["stale"]) == nil, "the purged counter started over (kept, this would be its second failure)")
    }
}
