import ProviderCore
import ProviderStorage
import Testing

/// Two store sets opened on one site, as two processes or hosts would: whatever one changes, the other sees at its next
/// read, cached or not, inside a look-up scope or not; housekeeping and the session key are shared.
@Suite struct SharedSiteBehaviourTests {
    /// A seeded site with alice's token and a second store set that has read (and so may have cached) the token and client.
    struct TwoSets {
        let seed: Seeded
        let other: OpenedStores
        let token: TokenCredential
        var first: ProviderStores { seed.stores }
        var second: ProviderStores { other.stores }
    }

    func twoSets(_ backend: TestBackend) throws -> TwoSets {
        let seed = try seeded(backend)
        let token = TokenCredential(token: "tok", secret: "tok-secret", clientIdentifier: "printer", userID: String(seed.user.id),
                                    scopes: ["read"], createdAt: 1_700_000_000)
        try seed.stores.tokenCredentials.save(token)
        let other = try openStores(seed.site, clock: TestClock())
        let second = other.stores
        for _ in 0..<2 {
            #expect(try second.tokenCredentials.tokenCredential(token: "tok") == token)
            #expect(try second.clients.client(identifier: "printer")?.secret == "printer-secret")
            #expect(try second.backend.lookups.lookUp { try second.tokenCredentials.tokenCredential(token: "tok") } == token)
        }
        return TwoSets(seed: seed, other: other, token: token)
    }

    @Test(arguments: TestBackend.available)
    func revokedTokenIsSeenByAnotherStoreSetAtItsNextRead(_ backend: TestBackend) throws {
        let sets = try twoSets(backend)
        #expect(try sets.first.tokenCredentials.revoke(token: "tok"))
        #expect(try sets.second.backend.lookups.lookUp { try sets.second.tokenCredentials.tokenCredential(token: "tok")?.isRevoked } == true)
        #expect(try sets.second.tokenCredentials.tokenCredential(token: "tok")?.isRevoked == true)
    }

    @Test(arguments: TestBackend.available)
    func disabledClientIsSeenByAnotherStoreSetAtItsNextRead(_ backend: TestBackend) throws {
        let sets = try twoSets(backend)
        var record = try #require(try sets.first.clients.record(identifier: "printer"))
        record.isDisabled = true
        #expect(try sets.first.clients.update(record))
        #expect(try sets.second.backend.lookups.lookUp { try sets.second.clients.client(identifier: "printer")?.isDisabled } == true)
        #expect(try sets.second.clients.client(identifier: "printer")?.isDisabled == true)
    }

    @Test(arguments: TestBackend.available)
    func rotatedSecretIsSeenByAnotherStoreSetAtItsNextRead(_ backend: TestBackend) throws {
        let sets = try twoSets(backend)
        let secret = try #require(try sets.first.clients.rotateSecret(identifier: "printer"))
        #expect(try sets.second.backend.lookups.lookUp {
            (try sets.second.tokenCredentials.tokenCredential(token: "tok")?.token, try sets.second.clients.client(identifier: "printer")?.secret)
        } == ("tok", secret))
        #expect(try sets.second.clients.client(identifier: "printer")?.secret == secret)
    }

    @Test(arguments: TestBackend.available)
    func recordedUseAndRemovedClientAreSeenByAnotherStoreSet(_ backend: TestBackend) throws {
        let sets = try twoSets(backend)
        try sets.first.tokenCredentials.recordUse(token: "tok", at: 1_700_000_123)
        #expect(try sets.second.tokenCredentials.all().first { $0.token == "tok" }?.lastUsedAt == 1_700_000_123)
        // PostgreSQL's caches are deliberately not invalidated by a recorded use (every host records uses all the time,
        // and each would empty every other host's cache): another host's cached copy may show an older time.
        if backend == .sqlite || backend == .sqliteWithRedis {
            #expect(try sets.second.tokenCredentials.tokenCredential(token: "tok")?.lastUsedAt == 1_700_000_123)
        }
        #expect(try sets.first.clients.remove(identifier: "printer"))
        #expect(try sets.second.clients.client(identifier: "printer") == nil)
        #expect(try sets.second.tokenCredentials.tokenCredential(token: "tok") == nil, "the client's tokens go with it")
    }

    @Test(arguments: TestBackend.available)
    func anAbsenceIsRememberedOnlyUntilAnotherStoreSetCreatesTheRecord(_ backend: TestBackend) throws {
        let sets = try twoSets(backend)
        let second = sets.second
        #expect(try second.tokenCredentials.tokenCredential(token: "later") == nil)
        #expect(try second.backend.lookups.lookUp { try second.tokenCredentials.tokenCredential(token: "later") } == nil)
        #expect(try second.clients.client(identifier: "later-client") == nil)

        try sets.first.clients.register(name: "Later", identifier: "later-client", secret: "later-secret")
        let later = TokenCredential(token: "later", secret: "s", clientIdentifier: "later-client", userID: sets.token.userID,
                                    createdAt: 1_700_000_000)
        try sets.first.tokenCredentials.save(later)
        #expect(try second.tokenCredentials.tokenCredential(token: "later") == later)
        #expect(try second.backend.lookups.lookUp { try second.clients.client(identifier: "later-client")?.secret } == "later-secret")
    }

    @Test(arguments: TestBackend.available)
    func ownChangesAreSeenAtOnceThroughTheCache(_ backend: TestBackend) throws {
        let sets = try twoSets(backend)
        let second = sets.second
        #expect(try second.tokenCredentials.revoke(token: "tok"))
        #expect(try second.tokenCredentials.tokenCredential(token: "tok")?.isRevoked == true)
        var record = try #require(try second.clients.record(identifier: "printer"))
        record.isDisabled = true
        #expect(try second.clients.update(record))
        #expect(try second.backend.lookups.lookUp { try second.clients.client(identifier: "printer")?.isDisabled } == true)
        #expect(try second.backend.lookups.lookUp { try second.tokenCredentials.tokenCredential(token: "tok")?.isRevoked } == true)
    }

    @Test(arguments: TestBackend.available)
    func removedUserIsGoneForAnotherStoreSet(_ backend: TestBackend) throws {
        let sets = try twoSets(backend)
        let session = try sets.first.sessions.create(userID: sets.seed.user.id, lifetime: 3600)
        #expect(try sets.second.sessions.session(identifier: session.identifier) == session.record)
        #expect(try sets.first.users.remove(id: sets.seed.user.id))
        #expect(try sets.second.users.user(id: sets.seed.user.id) == nil)
        #expect(try sets.second.sessions.session(identifier: session.identifier) == nil)
        #expect(try sets.second.tokenCredentials.tokenCredential(token: "tok") == nil)
    }

    @Test(arguments: TestBackend.available)
    func purgeIsClaimedOncePerIntervalAcrossStoreSets(_ backend: TestBackend) throws {
        let clock = TestClock()
        let seed = try seeded(backend, clock: clock)
        let other = try openStores(seed.site, clock: clock)
        let (first, second) = (seed.stores.backend, other.stores.backend)
        let now = clock.now()
        #expect(try first.claimPurge(now: now, interval: 300))
        #expect(try !second.claimPurge(now: now, interval: 300))
        #expect(try !first.claimPurge(now: now + 299, interval: 300))
        #expect(try !second.claimPurge(now: now + 299, interval: 300))
        #expect(try second.claimPurge(now: now + 300, interval: 300))
        #expect(try !first.claimPurge(now: now + 300, interval: 300))
        #expect(try other.stores.purgeIfDue(interval: 300) == nil, "the purge of now + 300 was claimed")
        clock.advance(600)
        #expect(try seed.stores.purgeIfDue(interval: 300) != nil)
        #expect(try other.stores.purgeIfDue(interval: 300) == nil)

        let claims = concurrently(8) { index in try [first, second][index % 2].claimPurge(now: now + 10_000, interval: 300) }
        #expect(try claims.filter { try $0.get() }.count == 1, "of concurrent claimants one wins")
    }

    @Test(arguments: TestBackend.available)
    func sessionSigningKeyIsStableAndSharedAcrossStoreSets(_ backend: TestBackend) throws {
        let opened = try openStores(backend, clock: TestClock())
        let key = try opened.stores.backend.sessionSigningKey()
        #expect(key.count >= 32)
        #expect(Set(key).count > 8, "the key is random, not a constant")
        #expect(try opened.stores.backend.sessionSigningKey() == key)
        let other = try openStores(opened.site, clock: TestClock())
        #expect(try other.stores.backend.sessionSigningKey() == key)
        let elsewhere = try openStores(backend, clock: TestClock())
        #expect(try elsewhere.stores.backend.sessionSigningKey() != key, "another site has its own key")
    }

    @Test(arguments: TestBackend.available)
    func schemaVersionAndHealthAreReportedAlikeByEveryStoreSet(_ backend: TestBackend) throws {
        let opened = try openStores(backend, clock: TestClock())
        let version = try opened.stores.checkHealth()
        #expect(version >= 1)
        #expect(try opened.stores.backend.schemaVersion() == version)
        let other = try openStores(opened.site, clock: TestClock())
        #expect(try other.stores.checkHealth() == version)
        #expect(opened.stores.backend.kind == (backend == .sqlite || backend == .sqliteWithRedis ? "sqlite" : "postgresql"))
        #expect(opened.stores.expiringBackend?.kind == (backend.usesRedis ? "redis" : nil))
    }
}
