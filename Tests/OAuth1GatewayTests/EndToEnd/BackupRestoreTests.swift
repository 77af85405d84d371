import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Synchronization
import Testing

/// `oauth1-fcgi backup` while the site writes, `restore` into a fresh data directory, and the tokens issued before the
/// backup working against the restored site; files that are not a backup of this schema are refused.
@Suite struct BackupRestoreTests {
    func userResource(_ application: Application, token: (String, String)) throws -> HTTPResponse {
        let authorization = try OAuthlibSigner.authorizationHeader(url: "http://provider.example:8080/oauth/user", method: "GET",
                                                                   clientID: "printer", clientSecret: "printer-secret", token: token)
        return application.handleGET("/user", authorization: authorization)
    }

    @Test func aBackupTakenWhileTheSiteWritesRestoresIntoAFreshDirectoryWithItsTokens() throws {
        let fixture = try ApplicationTests.Fixture()
        let stores = try fixture.application.parts().stores
        let alice = try stores.users.create(username: "alice", password: "alice-password")
        try stores.clients.register(name: "Printer", identifier: "printer", secret: "printer-secret")
        try stores.tokenCredentials.save(TokenCredential(token: "before-backup", secret: "token-secret", clientIdentifier: "printer",
                                                         userID: String(alice.id), createdAt: 1_700_000_000))

        // Writes go on while the backup runs.
        let writing = Atomic<Bool>(true)
        let written = Atomic<Int>(0)
        let writer = Thread {
            while writing.load(ordering: .relaxed) {
                _ = try? stores.sessions.create(userID: alice.id, lifetime: 3600)
                written.add(1, ordering: .relaxed)
            }
        }
        writer.start()
        defer { writing.store(false, ordering: .relaxed) }
        while written.load(ordering: .relaxed) < 20 { usleep(1_000) }

        let data = ProviderData(dataDirectory: fixture.directory + "/data")
        let file = fixture.directory + "/site.backup"
        let backup = try data.cli(["backup", file])
        writing.store(false, ordering: .relaxed)
        #expect(backup.status == 0 && backup.stdout.contains("backed up"), "\(backup.stderr)")
        var status = stat()
        #expect(stat(file, &status) == 0 && status.st_mode & 0o077 == 0, "the backup is the owner's only")
        let again = try data.cli(["backup", file])
        #expect(again.status != 0 && again.stderr.contains("exists already"), "\(again.stderr)")

        let sealed = try String(contentsOfFile: file, encoding: .isoLatin1)
        #expect(!sealed.contains("printer-secret") && !sealed.contains("token-secret"), "the backup holds secrets only sealed")

        let fresh = ProviderData(dataDirectory: fixture.directory + "/fresh")
        let withoutKey = try fresh.cli(["restore", file])
        #expect(withoutKey.status != 0 && withoutKey.stderr.contains("secrets.key does not hold"), "\(withoutKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/fresh/oauth1.sqlite"), "nothing was restored")
        try FileManager.default.createDirectory(atPath: fixture.directory + "/fresh", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(atPath: fixture.directory + "/data/secrets.key", toPath: fixture.directory + "/fresh/secrets.key")
        let restored = try fresh.cli(["restore", file])
        #expect(restored.status == 0 && restored.stdout.contains("1 users, 1 clients, 1 token credentials"), "\(restored.stdout) \(restored.stderr)")
        let overwrite = try fresh.cli(["restore", file])
        #expect(overwrite.status != 0 && overwrite.stderr.contains("--replace"), "\(overwrite.stderr)")
        #expect(try fresh.cli(["restore", "--replace", file]).status == 0)

        let configuration = try AppConfiguration(ConfigurationSource(values: ["OAUTH1_DATA_DIR": fixture.directory + "/fresh",
                                                                              "OAUTH1_INSECURE_TRANSPORT": "true"], file: nil))
        let answer = try userResource(Application(configuration: configuration), token: ("before-backup", "token-secret"))
        #expect(answer.status == 200 && answer.bodyText.contains("\"username\": \"alice\""), "\(answer.bodyText)")
    }

    @Test func aFileThatIsNotABackupOfThisSchemaIsRefused() throws {
        let fixture = try ApplicationTests.Fixture()
        let fresh = ProviderData(dataDirectory: fixture.directory + "/fresh")
        let text = fixture.directory + "/notes.txt"
        try "not a database at all, just some text long enough to fill a header".write(toFile: text, atomically: true, encoding: .utf8)
        let refusedText = try fresh.cli(["restore", text])
        #expect(refusedText.status != 0 && refusedText.stderr.contains("is not a SQLite database"), "\(refusedText.stderr)")

        let other = fixture.directory + "/other.sqlite"
        _ = try ProcessRunner.run("/usr/bin/python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.commit()", other])
        let refusedOther = try fresh.cli(["restore", other])
        #expect(refusedOther.status != 0 && refusedOther.stderr.contains("not one of oauth1-fcgi's"), "\(refusedOther.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/fresh/oauth1.sqlite"), "nothing was written")
    }
}
