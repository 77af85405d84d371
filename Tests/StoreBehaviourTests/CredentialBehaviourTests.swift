import ProviderCore
import ProviderStorage
import Testing

/// Temporary credentials, nonces and token credentials behave alike on every backend, under concurrency too.
@Suite struct CredentialBehaviourTests {
    func temporary(_ token: String, expiresAt: Int64 = 1_700_000_600) -> TemporaryCredential {
        TemporaryCredential(token: token, secret: "secret-\(token)", clientIdentifier: "printer", callback: "https://printer.example.com/ready",
                            requestedScopes: ["read", "write"], tokenLifetime: 86_400, expiresAt: expiresAt)
    }

    @Test(arguments: TestBackend.available)
    func temporaryCredentialIsAuthorizedOnceAndConsumedOnce(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let (store, user) = (seed.stores.temporaryCredentials, seed.user)
        try store.save(temporary("t1"))
        #expect(try store.temporaryCredential(token: "t1") == temporary("t1"))
        #expect(try store.temporaryCredential(token: "missing") == nil)

        #expect(try store.authorize(token: "t1", userID: String(user.id), verifier: "v1", grantedScopes: ["read"]))
        #expect(try !store.authorize(token: "t1", userID: String(user.id), verifier: "v2", grantedScopes: []))
        #expect(try !store.authorize(token: "missing", userID: String(user.id), verifier: "v", grantedScopes: []))
        let authorized = try #require(try store.temporaryCredential(token: "t1"))
        #expect(authorized.userID == String(user.id) && authorized.verifier == "v1" && authorized.grantedScopes == ["read"])

        #expect(try store.consume(token: "t1") == authorized)
        #expect(try store.consume(token: "t1") == nil)
        #expect(try store.consume(token: "missing") == nil)
        #expect(try store.temporaryCredential(token: "t1") == nil)
    }

    @Test(arguments: TestBackend.available)
    func concurrentConsumersOfOneTemporaryCredentialHaveExactlyOneWinner(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let other = try openStores(seed.site, clock: TestClock())
        let sets = [seed.stores, other.stores]
        for round in 0..<3 {
            try seed.stores.temporaryCredentials.save(temporary("race-\(round)"))
            let results = concurrently(16) { index in try sets[index % 2].temporaryCredentials.consume(token: "race-\(round)") }
            let winners = try results.compactMap { try $0.get() }
            #expect(winners == [temporary("race-\(round)")], "round \(round)")
        }
    }

    @Test(arguments: TestBackend.available)
    func concurrentAuthorizationsOfOneTemporaryCredentialSucceedOnce(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let other = try openStores(seed.site, clock: TestClock())
        let sets = [seed.stores, other.stores]
        let userID = String(seed.user.id)
        try seed.stores.temporaryCredentials.save(temporary("contested"))
        let results = concurrently(16) { index in
            try sets[index % 2].temporaryCredentials.authorize(token: "contested", userID: userID, verifier: "v\(index)", grantedScopes: [])
        }
        let winners = try results.indices.filter { try results[$0].get() }
        #expect(winners.count == 1)
        let stored = try #require(try seed.stores.temporaryCredentials.temporaryCredential(token: "contested"))
        #expect(stored.verifier == winners.first.map { "v\($0)" }, "the winner's verifier is the one kept")
    }

    @Test(arguments: TestBackend.available)
    func nonceIsAcceptedOnceAndEveryVariantOnce(_ backend: TestBackend) throws {
        let clock = TestClock()
        let seed = try seeded(backend, clock: clock)
        let nonces = seed.stores.nonces
        let now = clock.now()
        let nonce = TimestampNonce(clientIdentifier: "printer", token: "", timestamp: now, nonce: "abc")
        #expect(try nonces.insertIfAbsent(nonce, expiresAt: now + 600))
        #expect(try !nonces.insertIfAbsent(nonce, expiresAt: now + 600))
        let variants = [TimestampNonce(clientIdentifier: "other", token: "", timestamp: now, nonce: "abc"),
                        TimestampNonce(clientIdentifier: "printer", token: "tok", timestamp: now, nonce: "abc"),
                        TimestampNonce(clientIdentifier: "printer", token: "", timestamp: now + 1, nonce: "abc"),
                        TimestampNonce(clientIdentifier: "printer", token: "", timestamp: now, nonce: "abd")]
        for variant in variants {
            #expect(try nonces.insertIfAbsent(variant, expiresAt: now + 600), "\(variant)")
            #expect(try !nonces.insertIfAbsent(variant, expiresAt: now + 600), "\(variant) a second time")
        }
        let other = try openStores(seed.site, clock: clock)
        #expect(try !other.stores.nonces.insertIfAbsent(nonce, expiresAt: now + 600), "another store set sees the nonce")
    }

    @Test(arguments: TestBackend.available)
    func nonceIsAcceptedOnceAmongFortyConcurrentThreads(_ backend: TestBackend) throws {
        let clock = TestClock()
        let seed = try seeded(backend, clock: clock)
        let other = try openStores(seed.site, clock: clock)
        let sets = [seed.stores, other.stores]
        let now = clock.now()
        for round in 0..<3 {
            let nonce = TimestampNonce(clientIdentifier: "printer", token: "tok", timestamp: now, nonce: "n-\(round)")
            let results = concurrently(40) { index in try sets[index % 2].nonces.insertIfAbsent(nonce, expiresAt: now + 600) }
            #expect(try results.filter { try $0.get() }.count == 1, "round \(round)")
        }
    }

    @Test(arguments: TestBackend.available)
    func tokenCredentialIsSavedUsedListedAndRevoked(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let (tokens, user) = (seed.stores.tokenCredentials, seed.user)
        let token = TokenCredential(token: "tok", secret: "tok-secret", clientIdentifier: "printer", userID: String(user.id),
                                    scopes: ["read", "write"], createdAt: 1_700_000_000, expiresAt: 1_800_000_000)
        try tokens.save(token)
        #expect(try tokens.tokenCredential(token: "tok") == token)
        #expect(try tokens.tokenCredential(token: "missing") == nil)
        try tokens.recordUse(token: "tok", at: 1_700_000_500)
        #expect(try tokens.tokenCredential(token: "tok")?.lastUsedAt == 1_700_000_500)

        let bob = try seed.stores.users.create(username: "bob", password: "bob's password")
        let bobs = TokenCredential(token: "bob-tok", secret: "s", clientIdentifier: "printer", userID: String(bob.id), createdAt: 1_700_000_100)
        try tokens.save(bobs)
        #expect(try tokens.all(userID: user.id).map(\.token) == ["tok"])
        #expect(try tokens.all(userID: bob.id).map(\.token) == ["bob-tok"])
        #expect(try tokens.all().map(\.token) == ["bob-tok", "tok"], "newest first")

        #expect(try tokens.revoke(token: "tok"))
        #expect(try tokens.tokenCredential(token: "tok")?.isRevoked == true)
        #expect(try !tokens.revoke(token: "missing"))
        #expect(try tokens.revokeAll(clientIdentifier: "printer") == 1, "only the live token is counted")
        #expect(try tokens.tokenCredential(token: "bob-tok")?.isRevoked == true)
        #expect(try tokens.revokeAll(clientIdentifier: "printer") == 0)
        #expect(throws: StoreInputError.self) {
            try tokens.save(TokenCredential(token: "x", secret: "y", clientIdentifier: "printer", userID: "alice", createdAt: 0))
        }
    }

    @Test(arguments: TestBackend.available)
    func sqlMetacharactersAreStoredVerbatim(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let stores = seed.stores
        let hostile = "x' OR '1'='1\"; DELETE FROM clients; --\u{1F600}\\"
        try stores.temporaryCredentials.save(TemporaryCredential(token: hostile, secret: hostile, clientIdentifier: "printer",
                                                                 callback: "oob", requestedScopes: [hostile], expiresAt: 1_800_000_000))
        #expect(try stores.temporaryCredentials.temporaryCredential(token: hostile)?.secret == hostile)
        #expect(try stores.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: hostile, token: hostile, timestamp: 1_700_000_000, nonce: hostile),
                                                 expiresAt: 1_700_000_600))
        try stores.clients.register(name: hostile, description: hostile, identifier: hostile, secret: hostile)
        #expect(try stores.clients.client(identifier: hostile)?.secret == hostile)
        #expect(try stores.clients.all().count == 2)
        #expect(try stores.users.user(id: seed.user.id) != nil)
    }
}
