import FileAndSQLiteStore
import ProviderStorage
import Foundation
import ProviderCore
import Testing

/// Nonces in both of SQLite's homes, the nonce table and nonces.sqlite, on real files in a temporary directory (what every
/// backend shares is tested in StoreBehaviourTests).
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
