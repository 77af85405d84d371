import ProviderCore
import ProviderStorage
import Testing

/// Users, clients, browser sessions and the sign-in throttle behave alike on every backend.
@Suite struct AccountBehaviourTests {
    @Test(arguments: TestBackend.available)
    func usersAreCreatedAuthenticatedAndRemoved(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let (users, alice) = (seed.stores.users, seed.user)
        #expect(alice.username == "alice" && alice.id > 0)
        #expect(try users.authenticate(username: "alice", password: "correct horse") == alice)
        #expect(try users.authenticate(username: "alice", password: "wrong horse") == nil)
        #expect(try users.authenticate(username: "nobody", password: "correct horse") == nil)
        #expect(throws: StoreInputError.self) { try users.create(username: "alice", password: "another one") }
        #expect(throws: StoreInputError.self) { try users.create(username: "bob'; DROP TABLE users; --", password: "password1") }
        #expect(throws: StoreInputError.self) { try users.create(username: "bob", password: "short") }

        try users.setPassword(userID: alice.id, password: "battery staple")
        #expect(try users.authenticate(username: "alice", password: "battery staple") == alice)
        #expect(try users.authenticate(username: "alice", password: "correct horse") == nil, "the old password no longer works")
        #expect(try users.user(username: "alice") == alice)
        #expect(try users.user(id: alice.id) == alice)
        #expect(try users.cachedUser(id: alice.id) == alice)

        let bob = try users.create(username: "bob", password: "bob's password")
        #expect(bob.id != alice.id)
        #expect(try users.all() == [alice, bob])
        #expect(try users.remove(id: alice.id))
        #expect(try !users.remove(id: alice.id))
        #expect(try users.user(id: alice.id) == nil)
        #expect(try users.user(username: "alice") == nil)
        #expect(try users.all() == [bob])
    }

    @Test(arguments: TestBackend.available)
    func externalUserIsCreatedOnFirstSightAndHasNoPassword(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let users = seed.stores.users
        let carol = try users.externalUser(username: "carol@example.com")
        #expect(carol.username == "carol@example.com")
        #expect(try users.externalUser(username: "carol@example.com") == carol, "the second sight finds the same user")
        #expect(try users.externalUser(username: "alice") == seed.user, "an existing account is reused")
        #expect(try users.authenticate(username: "carol@example.com", password: "external") == nil)
        #expect(throws: StoreInputError.self) { try users.externalUser(username: "not a name") }
        #expect(try users.all().map(\.username) == ["alice", "carol@example.com"])
    }

    @Test(arguments: TestBackend.available)
    func removingAUserRemovesTheirTokensAndSessions(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let stores = seed.stores
        let bob = try stores.users.create(username: "bob", password: "bob's password")
        for (token, user) in [("alice-tok", seed.user), ("bob-tok", bob)] {
            try stores.tokenCredentials.save(TokenCredential(token: token, secret: "s", clientIdentifier: "printer",
                                                             userID: String(user.id), createdAt: 1_700_000_000))
        }
        let aliceSession = try stores.sessions.create(userID: seed.user.id, lifetime: 3600)
        let bobSession = try stores.sessions.create(userID: bob.id, lifetime: 3600)

        #expect(try stores.users.remove(id: seed.user.id))
        #expect(try stores.tokenCredentials.tokenCredential(token: "alice-tok") == nil)
        #expect(try stores.tokenCredentials.all(userID: seed.user.id).isEmpty)
        #expect(try stores.sessions.session(identifier: aliceSession.identifier) == nil)
        #expect(try stores.tokenCredentials.tokenCredential(token: "bob-tok") != nil, "another user's token stays")
        #expect(try stores.sessions.session(identifier: bobSession.identifier) == bobSession.record, "another user's session stays")
    }

    @Test(arguments: TestBackend.available)
    func clientIsRegisteredValidatedUpdatedAndRemovedWithItsCredentials(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let (stores, user) = (seed.stores, seed.user)
        let registered = try stores.clients.register(name: "Jira", description: "application link", ownerUserID: user.id,
                                                     callbackURIs: ["https://jira.example.com/plugins/servlet/oauth/callback", "oob"],
                                                     rsaPublicKeyPEM: try rsaCertificatePEM(), allowsTwoLegged: true, requiresBodyHash: true)
        #expect(registered.identifier.count == 24 && registered.secret.count == 40)
        #expect(try stores.clients.record(identifier: registered.identifier) == registered)
        let client = try #require(try stores.clients.client(identifier: registered.identifier))
        #expect(client.rsaPublicKey?.bits == 2048)
        #expect(client.allowsTwoLegged && client.requiresBodyHash && client.ownerUserID == String(user.id))
        #expect(client.callbackURIs == registered.callbackURIs)
        #expect(try stores.clients.client(identifier: "missing") == nil)
        #expect(try stores.clients.all(ownerUserID: user.id).map(\.identifier) == [registered.identifier])
        #expect(Set(try stores.clients.all().map(\.identifier)) == [registered.identifier, "printer"])

        let rotated = try #require(try stores.clients.rotateSecret(identifier: registered.identifier))
        #expect(rotated != registered.secret)
        #expect(try stores.clients.client(identifier: registered.identifier)?.secret == rotated)
        #expect(try stores.clients.rotateSecret(identifier: "missing") == nil)

        var edited = try #require(try stores.clients.record(identifier: registered.identifier))
        edited.isDisabled = true
        edited.name = "Jira (old)"
        edited.callbackURIs = ["https://jira.example.com/new"]
        #expect(try stores.clients.update(edited))
        #expect(try stores.clients.record(identifier: registered.identifier) == edited)
        #expect(try stores.clients.client(identifier: registered.identifier)?.isDisabled == true)
        var unknown = edited
        unknown.identifier = "missing"
        #expect(try !stores.clients.update(unknown))

        try stores.tokenCredentials.save(TokenCredential(token: "jira-token", secret: "s", clientIdentifier: registered.identifier,
                                                         userID: String(user.id), createdAt: 0))
        try stores.temporaryCredentials.save(TemporaryCredential(token: "jira-temporary", secret: "s", clientIdentifier: registered.identifier,
                                                                 callback: "oob", expiresAt: 1_800_000_000))
        #expect(try stores.clients.remove(identifier: registered.identifier))
        #expect(try !stores.clients.remove(identifier: registered.identifier))
        #expect(try stores.clients.client(identifier: registered.identifier) == nil)
        #expect(try stores.tokenCredentials.tokenCredential(token: "jira-token") == nil, "the client's tokens go with it")
        if stores.expiringBackend == nil {
            // Redis keeps temporary credentials apart from the database; there they expire by themselves.
            #expect(try stores.temporaryCredentials.temporaryCredential(token: "jira-temporary") == nil)
        }
        #expect(try stores.clients.client(identifier: "printer") != nil, "another client stays")
    }

    @Test(arguments: TestBackend.available, [
        ("", ["https://a.example/cb"], nil),
        ("Name", ["javascript:alert(1)"], nil),
        ("Name", ["https://a.example/cb#x"], nil),
        ("Name", [], "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
    ] as [(String, [String], String?)])
    func clientRegistrationRefusesBadInput(_ backend: TestBackend, _ input: (name: String, callbacks: [String], pem: String?)) throws {
        let seed = try seeded(backend)
        let clients = seed.stores.clients
        #expect(throws: StoreInputError.self) {
            try clients.register(name: input.name, callbackURIs: input.callbacks, rsaPublicKeyPEM: input.pem)
        }
        #expect(try clients.all().map(\.identifier) == ["printer"])
    }

    @Test(arguments: TestBackend.available)
    func sessionsAreCreatedReadExpiredAndDeleted(_ backend: TestBackend) throws {
        let clock = TestClock()
        let seed = try seeded(backend, clock: clock)
        let sessions = seed.stores.sessions
        let signedIn = try sessions.create(userID: seed.user.id, lifetime: 3600)
        let anonymous = try sessions.create(userID: nil, lifetime: 60)
        #expect(signedIn.identifier != anonymous.identifier)
        #expect(signedIn.record.idHash == SessionRecord.hash(signedIn.identifier))
        #expect(signedIn.record.userID == seed.user.id && signedIn.record.expiresAt == clock.now() + 3600)
        #expect(!signedIn.record.csrfToken.isEmpty && signedIn.record.csrfToken != anonymous.record.csrfToken)
        #expect(try sessions.session(identifier: signedIn.identifier) == signedIn.record)
        #expect(try sessions.session(identifier: anonymous.identifier) == anonymous.record)
        #expect(try sessions.session(identifier: signedIn.record.idHash) == nil, "the stored hash is not an identifier")
        #expect(try sessions.session(identifier: "missing") == nil)

        clock.advance(60)
        #expect(try sessions.session(identifier: anonymous.identifier) == nil, "a session ends at its expiry")
        #expect(try sessions.session(identifier: signedIn.identifier) != nil)

        try sessions.delete(identifier: signedIn.identifier)
        #expect(try sessions.session(identifier: signedIn.identifier) == nil)

        let first = try sessions.create(userID: seed.user.id, lifetime: 3600)
        let second = try sessions.create(userID: seed.user.id, lifetime: 3600)
        let bob = try seed.stores.users.create(username: "bob", password: "bob's password")
        let bobs = try sessions.create(userID: bob.id, lifetime: 3600)
        try sessions.deleteAll(userID: seed.user.id)
        #expect(try sessions.session(identifier: first.identifier) == nil)
        #expect(try sessions.session(identifier: second.identifier) == nil)
        #expect(try sessions.session(identifier: bobs.identifier) == bobs.record)
    }

    @Test(arguments: TestBackend.available)
    func loginThrottleLocksAfterTooManyFailuresAndResets(_ backend: TestBackend) throws {
        let clock = TestClock()
        let seed = try seeded(backend, clock: clock)
        let throttle = seed.stores.loginThrottle
        let strict = LoginThrottlePolicy(maximumFailures: 3, window: 60, lockout: 300)
        let lenient = LoginThrottlePolicy(maximumFailures: 10, window: 60, lockout: 600)
        for _ in 0..<2 { try throttle.recordFailure([("alice", strict), ("192.0.2.1", lenient)]) }
        #expect(try throttle.lockedFor(["alice", "192.0.2.1"]) == nil)
        try throttle.recordFailure([("alice", strict), ("192.0.2.1", lenient)])
        #expect(try throttle.lockedFor(["alice"]) == 300)
        #expect(try throttle.lockedFor(["192.0.2.1"]) == nil)
        #expect(try throttle.lockedFor(["192.0.2.1", "alice"]) == 300)
        clock.advance(100)
        #expect(try throttle.lockedFor(["alice"]) == 200)
        let other = try openStores(seed.site, clock: clock)
        #expect(try other.stores.loginThrottle.lockedFor(["alice"]) == 200, "another store set sees the lock")
        try throttle.reset("alice")
        #expect(try throttle.lockedFor(["alice"]) == nil)

        try throttle.recordFailure([("bob", strict)])
        clock.advance(61)
        try throttle.recordFailure([("bob", strict)])
        try throttle.recordFailure([("bob", strict)])
        #expect(try throttle.lockedFor(["bob"]) == nil, "failures outside the window are forgotten")
        try throttle.recordFailure([("bob", strict)])
        #expect(try throttle.lockedFor(["bob"]) == 300)
        clock.advance(300)
        #expect(try throttle.lockedFor(["bob"]) == nil, "the lock ends")
    }
}
