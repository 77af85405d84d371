import Foundation
import ProviderStorage
import Synchronization
import Testing

/// `oauth1-fcgi rotate-secrets-key` while `serve` answers requests signed by oauthlib: not one request fails, a token
/// credential issued before the rotation still works after it, and the database and key file end with the new key only.
@Suite struct SecretsKeyRotationTests {
    @Test func aRotationUnderLoadFailsNoRequestAndLeavesOnlyTheNewKey() throws {
        let server = try ProviderServer(workers: 2)
        defer { server.stop() }
        try server.addUser("alice", password: "alice-password")
        let client = try server.addClient(name: "Printer", extra: ["--two-legged"])
        let token = try ClientScripts.threeLegged(base: server.base, client: client)
        let keyFile = server.dataDirectory + "/secrets.key"
        let before = try #require(try SecretsKeyFile.read(keyFile)).ring

        // Signed requests go on through nginx, each from a new oauthlib process, until the rotation ends.
        let rotating = Atomic<Bool>(true)
        let statuses = Mutex<[Int]>([])
        let load = Thread {
            while rotating.load(ordering: .relaxed) {
                let answer = try? ClientScripts.signed(server.base + "/user", client: client, token: token)
                statuses.withLock { $0 += answer?.statuses ?? [0] }
            }
        }
        load.start()
        while statuses.withLock({ $0.count }) < 2 { usleep(20_000) }
        let rotation = try server.cli(["rotate-secrets-key", "--grace", "1"])
        rotating.store(false, ordering: .relaxed)
        while !load.isFinished { usleep(20_000) }

        #expect(rotation.status == 0 && rotation.stdout.contains("under the new key"), "\(rotation.stdout) \(rotation.stderr)")
        let seen = statuses.withLock { $0 }
        #expect(seen.count >= 3 && seen.allSatisfy { $0 == 200 }, "every request during the rotation: \(seen)")
        let after = try #require(try SecretsKeyFile.read(keyFile)).ring
        #expect(after.keys.count == 1 && !before.keys.contains(after.sealingKey), "the file holds the new key only")
        #expect(try ClientScripts.signed(server.base + "/user", client: client, token: token).statuses == [200])
        #expect(try ClientScripts.signed(server.base + "/whoami", client: client).statuses == [200], "two-legged, by the client's secret")

        // Every row is sealed under the new key: the database names no other.
        let migrate = try server.cli(["migrate", "--json"])
        #expect(migrate.stdout.contains("\"secrets_sealed\": 0") || migrate.stdout.contains("\"secrets_sealed\":0"), "\(migrate.stdout)")
        let database = try Data(contentsOf: URL(fileURLWithPath: server.dataDirectory + "/oauth1.sqlite"))
        #expect(database.range(of: Data("enc1:\(before.sealingKey.identifier):".utf8)) == nil, "no secret under the old key")
        #expect(database.range(of: Data(client.secret.utf8)) == nil && database.range(of: Data(token.1.utf8)) == nil)
    }

    @Test func rotationInThreeStepsForSeveralHostsAndItsRefusals() throws {
        let directory = ProviderServer.makeTemporaryDirectory("oauth1-rotate")
        let data = ProviderData(dataDirectory: directory + "/data")
        let client = try data.addClient(name: "Printer")
        let keyFile = directory + "/data/secrets.key"
        let first = try #require(try SecretsKeyFile.read(keyFile)).ring.sealingKey

        let early = try data.cli(["rotate-secrets-key", "--promote"])
        #expect(early.status != 0 && early.stderr.contains("run --stage first"), "\(early.stderr)")
        let both = try data.cli(["rotate-secrets-key", "--stage", "--finish"])
        #expect(both.status != 0 && both.stderr.contains("at most one"), "\(both.stderr)")

        #expect(try data.cli(["rotate-secrets-key", "--stage"]).status == 0)
        let staged = try #require(try SecretsKeyFile.read(keyFile)).ring
        #expect(staged.keys.count == 2 && staged.sealingKey == first, "a staged key opens but does not seal yet")
        #expect(try data.cli(["rotate-secrets-key", "--promote", "--grace", "0"]).status == 0)
        let promoted = try #require(try SecretsKeyFile.read(keyFile)).ring
        #expect(promoted.sealingKey == staged.keys[1] && promoted.keys.contains(first), "the old key still opens")
        #expect(try data.cli(["rotate-secrets-key", "--finish"]).status == 0)
        #expect(try SecretsKeyFile.read(keyFile)?.ring.keys == [staged.keys[1]])
        let shown = try data.cli(["client", "show", client.id])
        #expect(shown.stdout.contains("client_secret=\(client.secret)"), "\(shown.stdout) \(shown.stderr)")
    }
}
