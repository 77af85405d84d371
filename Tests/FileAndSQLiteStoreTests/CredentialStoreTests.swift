import FileAndSQLiteStore
import ProviderStorage
import Foundation
import ProviderCore
import Testing

/// Every store operation, in both homes of nonces where there is a choice, on real files in a temporary directory.
@Suite struct CredentialStoreTests {
    /// Stores on a fresh directory with one user and one client; holding it keeps the directory alive.
    struct Seeded {
        let directory: TemporaryDirectory
        let stores: SQLiteStores
        let user: UserRecord
    }

    func seeded(nonces: StorageConfiguration.ExpiringStore = .table, clock: TestClock = TestClock()) throws -> Seeded {
        let directory = TemporaryDirectory()
        let stores = try openStores(directory, nonces: nonces, clock: clock)
        let user = try stores.users.create(username: "alice", password: "correct horse")
        try stores.clients.register(name: "Printer", callbackURIs: ["https://printer.example.com/ready"],
                                    identifier: "printer", secret: "printer-secret")
        return Seeded(directory: directory, stores: stores, user: user)
    }

    func temporary(_ token: String, expiresAt: Int64 = 1_700_000_600) -> TemporaryCredential {
        TemporaryCredential(token: token, secret: "secret-\(token)", clientIdentifier: "printer", callback: "https://printer.example.com/ready",
                            requestedScopes: ["read", "write"], tokenLifetime: 86_400, expiresAt: expiresAt)
    }

    @Test func temporaryCredentialLifecycle() throws {
        let seed = try seeded()
        let (stores, user) = (seed.stores, seed.user)
        let store = stores.temporaryCredentials
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
        #expect(try store.temporaryCredential(token: "t1") == nil)
        withExtendedLifetime(seed) {}
    }

    @Test func expiredTemporaryCredentialsArePurged() throws {
        let clock = TestClock()
        let seed = try seeded(clock: clock)
        let stores = seed.stores
        try stores.temporaryCredentials.save(temporary("short", expiresAt: clock.now() + 10))
        try stores.temporaryCredentials.save(temporary("long", expiresAt: clock.now() + 1000))
        clock.advance(10)
        let report = try stores.purge()
        #expect(report.temporaryCredentials == 1)
        #expect(try stores.temporaryCredentials.temporaryCredential(token: "short") == nil)
        #expect(try stores.temporaryCredentials.temporaryCredential(token: "long") != nil)
        withExtendedLifetime(seed) {}
    }

    @Test(arguments: fileNonceStores)
    func nonceIsAcceptedOnceAndPurgedAfterExpiry(_ nonces: StorageConfiguration.ExpiringStore) throws {
        let clock = TestClock()
        let seed = try seeded(nonces: nonces, clock: clock)
        let stores = seed.stores
        let nonce = TimestampNonce(clientIdentifier: "printer", token: "", timestamp: clock.now(), nonce: "abc")
        #expect(try stores.nonces.insertIfAbsent(nonce, expiresAt: clock.now() + 600))
        #expect(try !stores.nonces.insertIfAbsent(nonce, expiresAt: clock.now() + 600))
        for variant in [TimestampNonce(clientIdentifier: "other", token: "", timestamp: clock.now(), nonce: "abc"),
                        TimestampNonce(clientIdentifier: "printer", token: "tok", timestamp: clock.now(), nonce: "abc"),
                        TimestampNonce(clientIdentifier: "printer", token: "", timestamp: clock.now() + 1, nonce: "abc"),
                        TimestampNonce(clientIdentifier: "printer", token: "", timestamp: clock.now(), nonce: "abd")] {
            #expect(try stores.nonces.insertIfAbsent(variant, expiresAt: clock.now() + 600))
        }
        clock.advance(600)
        let report = try stores.purge()
        if let table = stores.nonceTable {
            // The nonce table deletes a partition (64 s of timestamps) whole, once the last nonce it could hold has
            // expired: up to a partition span plus a minute after single nonces would.
            #expect(report.nonces == 0)
            #expect(try table.count() == 5)
            clock.advance(64 + 60)
            #expect(try stores.purge().nonces == 5)
            #expect(try table.count() == 0)
            #expect(try stores.nonces.insertIfAbsent(nonce, expiresAt: clock.now() + 600), "a purged nonce is forgotten")
        } else {
            #expect(report.nonces == 5)
        }
        withExtendedLifetime(seed) {}
    }

    @Test func tokenCredentialLifecycle() throws {
        let seed = try seeded()
        let (stores, user) = (seed.stores, seed.user)
        let token = TokenCredential(token: "tok", secret: "tok-secret", clientIdentifier: "printer", userID: String(user.id),
                                    scopes: ["read"], createdAt: 1_700_000_000, expiresAt: 1_800_000_000)
        try stores.tokenCredentials.save(token)
        #expect(try stores.tokenCredentials.tokenCredential(token: "tok") == token)
        try stores.tokenCredentials.recordUse(token: "tok", at: 1_700_000_500)
        #expect(try stores.tokenCredentials.tokenCredential(token: "tok")?.lastUsedAt == 1_700_000_500)
        #expect(try stores.tokenCredentials.all(userID: user.id).map(\.token) == ["tok"])
        #expect(try stores.tokenCredentials.revoke(token: "tok"))
        #expect(try stores.tokenCredentials.tokenCredential(token: "tok")?.isRevoked == true)
        #expect(try !stores.tokenCredentials.revoke(token: "missing"))
        #expect(throws: StoreInputError.self) {
            try stores.tokenCredentials.save(TokenCredential(token: "x", secret: "y", clientIdentifier: "printer", userID: "alice", createdAt: 0))
        }
        withExtendedLifetime(seed) {}
    }

    @Test func clientRegistryOperations() throws {
        let seed = try seeded()
        let (stores, user) = (seed.stores, seed.user)
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let pem = try String(contentsOf: fixtures.appendingPathComponent("ProviderCoreTests/Fixtures/rsa2048-cert.pem"), encoding: .utf8)
        let registered = try stores.clients.register(name: "Jira", description: "application link", ownerUserID: user.id,
                                                     callbackURIs: ["https://jira.example.com/plugins/servlet/oauth/callback", "oob"],
                                                     rsaPublicKeyPEM: pem, allowsTwoLegged: true)
        #expect(registered.identifier.count == 24 && registered.secret.count == 40)
        let client = try #require(try stores.clients.client(identifier: registered.identifier))
        #expect(client.rsaPublicKey?.bits == 2048)
        #expect(client.allowsTwoLegged && client.ownerUserID == String(user.id))
        #expect(client.rsaPublicKey === (try stores.clients.client(identifier: registered.identifier))?.rsaPublicKey)
        #expect(try stores.clients.all(ownerUserID: user.id).map(\.identifier) == [registered.identifier])

        let rotated = try #require(try stores.clients.rotateSecret(identifier: registered.identifier))
        #expect(rotated != registered.secret)
        #expect(try stores.clients.client(identifier: registered.identifier)?.secret == rotated)

        var edited = try #require(try stores.clients.record(identifier: registered.identifier))
        edited.isDisabled = true
        edited.callbackURIs = ["https://jira.example.com/new"]
        #expect(try stores.clients.update(edited))
        #expect(try stores.clients.client(identifier: registered.identifier)?.isDisabled == true)

        let token = TokenCredential(token: "jira-token", secret: "s", clientIdentifier: registered.identifier, userID: String(user.id), createdAt: 0)
        try stores.tokenCredentials.save(token)
        #expect(try stores.tokenCredentials.revokeAll(clientIdentifier: registered.identifier) == 1)
        #expect(try stores.clients.remove(identifier: registered.identifier))
        #expect(try stores.tokenCredentials.tokenCredential(token: "jira-token") == nil)
        #expect(try stores.clients.client(identifier: registered.identifier) == nil)
        withExtendedLifetime(seed) {}
    }

    @Test(arguments: [
        ("", ["https://a.example/cb"], nil),
        ("Name", ["javascript:alert(1)"], nil),
        ("Name", ["https://a.example/cb#x"], nil),
        ("Name", [], "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
    ] as [(String, [String], String?)])
    func clientRegistrationRefusesBadInput(_ name: String, _ callbacks: [String], _ pem: String?) throws {
        let seed = try seeded()
        let stores = seed.stores
        #expect(throws: StoreInputError.self) { try stores.clients.register(name: name, callbackURIs: callbacks, rsaPublicKeyPEM: pem) }
        #expect(try stores.clients.all().count == 1)
        withExtendedLifetime(seed) {}
    }

    @Test func usersAndPasswords() throws {
        let seed = try seeded()
        let (stores, alice) = (seed.stores, seed.user)
        #expect(try stores.users.authenticate(username: "alice", password: "correct horse") == alice)
        #expect(try stores.users.authenticate(username: "alice", password: "wrong horse") == nil)
        #expect(try stores.users.authenticate(username: "nobody", password: "correct horse") == nil)
        #expect(throws: StoreInputError.self) { try stores.users.create(username: "alice", password: "another one") }
        #expect(throws: StoreInputError.self) { try stores.users.create(username: "bob'; DROP TABLE users; --", password: "password1") }
        #expect(throws: StoreInputError.self) { try stores.users.create(username: "bob", password: "short") }
        try stores.users.setPassword(userID: alice.id, password: "battery staple")
        #expect(try stores.users.authenticate(username: "alice", password: "battery staple") == alice)
        #expect(try stores.users.user(username: "alice") == alice)
        #expect(try stores.users.all() == [alice])
        #expect(try stores.users.remove(id: alice.id))
        #expect(try stores.users.user(id: alice.id) == nil)
        withExtendedLifetime(seed) {}
    }

    @Test func sqlMetacharactersAreStoredVerbatim() throws {
        let seed = try seeded()
        let (stores, user) = (seed.stores, seed.user)
        let hostile = "x' OR '1'='1\"; DELETE FROM clients; --\u{1F600}"
        try stores.temporaryCredentials.save(TemporaryCredential(token: hostile, secret: hostile, clientIdentifier: "printer",
                                                                 callback: "oob", requestedScopes: [hostile], expiresAt: 1_800_000_000))
        #expect(try stores.temporaryCredentials.temporaryCredential(token: hostile)?.secret == hostile)
        #expect(try stores.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: hostile, token: hostile, timestamp: 1, nonce: hostile), expiresAt: 2))
        #expect(try stores.clients.all().count == 1)
        #expect(try stores.users.user(id: user.id) != nil)
        withExtendedLifetime(seed) {}
    }
}

/// Passwords: scrypt from OpenSSL, salted, parameters inside the stored string.
@Suite struct PasswordHasherTests {
    @Test func standardParametersHashAndVerify() throws {
        let stored = try PasswordHasher.standard.hash("correct horse battery staple")
        #expect(stored.hasPrefix("scrypt$15$8$1$"))
        #expect(PasswordHasher.standard.verify("correct horse battery staple", against: stored))
        #expect(!PasswordHasher.standard.verify("correct horse battery stapl", against: stored))
    }

    @Test func saltsDifferAndParametersTravelWithTheHash() throws {
        let first = try fastHasher.hash("same password")
        let second = try fastHasher.hash("same password")
        #expect(first != second)
        #expect(PasswordHasher.standard.verify("same password", against: first))
        #expect(PasswordHasher.standard.needsRehash(first))
        #expect(!fastHasher.needsRehash(first))
        #expect(fastHasher.verify("", against: try fastHasher.hash("")))
    }

    @Test(arguments: ["", "plain", "scrypt$15$8$1$$", "scrypt$99$8$1$AAAA$AAAA", "scrypt$4$1$1$!!!!$AAAA", "bcrypt$x"])
    func malformedHashesNeverMatch(_ stored: String) {
        #expect(!fastHasher.verify("anything", against: stored))
        #expect(fastHasher.needsRehash(stored))
    }
}
