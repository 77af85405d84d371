import FileAndSQLiteStore
import ProviderStorage
import Foundation
import ProviderCore
import Testing

/// The database and the nonce table as files: permissions, migrations, corruption, cross-process atomicity and durability.
@Suite struct DatabaseFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func dataDirectoryIs0700AndDatabase0600() throws {
        let parent = TemporaryDirectory()
        let data = parent.file("data")
        let stores = try SQLiteStores(StorageConfiguration(dataDirectory: data), hasher: fastHasher)
        _ = try stores.users.create(username: "u", password: "password1")
        #expect(try mode(data) == 0o700)
        #expect(try mode(data + "/oauth1.sqlite") == 0o600)
        #expect(try stores.database.read { try $0.query("PRAGMA journal_mode").first?.text(0) } == "wal")
        #expect(try stores.database.read { try $0.query("PRAGMA foreign_keys").first?.integer(0) } == 1)
        #expect(try stores.database.schemaVersion() == Schema.currentVersion)
        #expect(try stores.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: "c", token: "", timestamp: 1, nonce: "n"), expiresAt: 2))
        #expect(try mode(data + "/nonces") == 0o700)
        #expect(try mode(data + "/nonces/format") == 0o600)
        #expect(try mode(data + "/nonces/p0") == 0o600, "timestamp 1 falls in partition 0")
    }

    /// Nonces go to the nonce table: recording one commits nothing to oauth1.sqlite, so other workers keep its pages and
    /// their cached clients and tokens.
    @Test func nonceInsertLeavesTheMainDatabaseUnchanged() throws {
        let parent = TemporaryDirectory()
        let data = parent.file("data")
        let stores = try SQLiteStores(StorageConfiguration(dataDirectory: data), hasher: fastHasher)
        let observer = try SQLiteDatabase(path: data + "/oauth1.sqlite")
        func dataVersion() throws -> Int64 { try observer.read { try $0.query("PRAGMA data_version").first?.integer(0) ?? -1 } }
        let before = try dataVersion()
        #expect(try stores.nonces.insertIfAbsent(TimestampNonce(clientIdentifier: "c", token: "t", timestamp: 1, nonce: "n"), expiresAt: 2))
        #expect(try dataVersion() == before)
        _ = try stores.users.create(username: "u", password: "password1")
        #expect(try dataVersion() != before)
    }

    /// A data directory someone made by hand with group and other access loses it when the provider opens it.
    @Test func existingDataDirectoryIsMadePrivate() throws {
        let parent = TemporaryDirectory()
        let data = parent.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        #expect(try mode(data) == 0o755)
        _ = try SQLiteStores(StorageConfiguration(dataDirectory: data), hasher: fastHasher)
        #expect(try mode(data) == 0o700)
    }

    @Test func olderSchemaUpgradesInPlaceKeepingData() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("schema-v1.sqlite").path,
                                         toPath: directory.file("oauth1.sqlite"))
        let stores = try openStores(directory)
        #expect(try stores.database.schemaVersion() == Schema.currentVersion)
        #expect(try stores.users.user(username: "legacy-user")?.id == 1)
        let client = try #require(try stores.clients.record(identifier: "legacy-client"))
        #expect(client.callbackURIs == ["https://legacy.example.com/cb"] && client.allowsTwoLegged)
        #expect(try stores.tokenCredentials.tokenCredential(token: "legacy-token")?.scopes == ["read"])
        #expect(try stores.database.read { try $0.query("SELECT count(*) FROM sessions").first?.integer(0) } == 0)
        #expect(try stores.database.integrityCheck() == "ok")
    }

    /// The committed version-1 fixture is what migration 1 really creates, so the upgrade test starts from the truth.
    @Test func fixtureMatchesMigrationOne() throws {
        let directory = TemporaryDirectory()
        let fresh = try SQLiteDatabase(path: directory.file("fresh.sqlite"))
        let fixture = try SQLiteConnection(path: Self.fixtures.appendingPathComponent("schema-v1.sqlite").path, readOnly: true)
        let fixtureTables = try fixture.query("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name").map { $0.text(0) }
        let freshTables = try fresh.read { try $0.query("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name").map { $0.text(0) } }
        #expect(Set(fixtureTables).isSubset(of: Set(freshTables)))
        #expect(Set(freshTables).subtracting(fixtureTables) == ["sessions", "sessions_expiry", "sessions_user", "login_failures",
                                                                 "sqlite_autoindex_login_failures_1", "sqlite_autoindex_sessions_1"])
    }

    @Test func newerSchemaIsRefusedWithAClearMessage() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("oauth1.sqlite")
        do {
            let connection = try SQLiteConnection(path: path)
            try connection.execute("PRAGMA user_version = 99")
        }
        do {
            _ = try SQLiteDatabase(path: path)
            Issue.record("a schema from the future was accepted")
        } catch let error as SchemaTooNewError {
            #expect(error.found == 99 && error.known == Schema.currentVersion)
            #expect(error.description.contains(path))
        }
    }

    @Test func corruptDatabaseGivesErrorNamingTheFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("oauth1.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        do {
            _ = try openStores(directory)
            Issue.record("a corrupt database opened")
        } catch {
            #expect("\(error)".contains(path))
            #expect("\(error)".contains("not an SQLite database"))
        }
    }

    @Test func purgeRunsOnceAcrossCallersWithinItsInterval() throws {
        let directory = TemporaryDirectory()
        let clock = TestClock()
        let stores = try openStores(directory, clock: clock)
        #expect(try stores.providerStores().purgeIfDue(interval: 300) != nil)
        #expect(try stores.providerStores().purgeIfDue(interval: 300) == nil)
        let second = try openStores(directory, clock: clock)
        #expect(try second.providerStores().purgeIfDue(interval: 300) == nil)
        clock.advance(300)
        #expect(try second.providerStores().purgeIfDue(interval: 300) != nil)
    }

    /// Four processes insert the same thousand nonces at once: each is accepted exactly once in total.
    @Test(arguments: fileNonceStores)
    func noncesAreAcceptedExactlyOnceAcrossProcesses(_ nonces: StorageConfiguration.ExpiringStore) throws {
        let directory = TemporaryDirectory()
        _ = try openStores(directory, nonces: nonces)
        let barrier = directory.file("go")
        let outputs = try Helper.race(Array(repeating: ["nonces", directory.path, nonces.setting, barrier, "1000"], count: 4), barrier: barrier)
        let accepted = outputs.flatMap { $0.split(separator: " ").compactMap { Int($0) } }
        #expect(accepted.count == 1000)
        #expect(Set(accepted) == Set(0..<1000))
        #expect(outputs.filter { !$0.isEmpty }.count >= 1)
    }

    /// Several processes race to consume one temporary credential: exactly one wins.
    @Test func temporaryCredentialIsConsumedByOneProcess() throws {
        for round in 0..<3 {
            let directory = TemporaryDirectory()
            let stores = try openStores(directory)
            try stores.clients.register(name: "Race", identifier: "race-client", secret: "s")
            try stores.temporaryCredentials.save(TemporaryCredential(token: "contested", secret: "s", clientIdentifier: "race-client",
                                                                     callback: "oob", expiresAt: 4_000_000_000))
            let barrier = directory.file("go")
            let outputs = try Helper.race(Array(repeating: ["consume", directory.path, "table", barrier, "contested"], count: 4),
                                          barrier: barrier)
            #expect(outputs.filter { $0 == "won" }.count == 1, "round \(round): \(outputs)")
            #expect(outputs.filter { $0 == "lost" }.count == 3, "round \(round): \(outputs)")
        }
    }

    /// A writer killed with SIGKILL mid-stream leaves a sound database holding every write it reported committed.
    @Test func acknowledgedWritesSurviveSIGKILL() throws {
        let directory = TemporaryDirectory()
        let stores = try openStores(directory)
        _ = try stores.users.create(username: "writer", password: "password1")
        try stores.clients.register(name: "Stream", identifier: "stream-client", secret: "s")
        let acknowledged = try Helper.killMidStream(["write-stream", directory.path], after: 300)
        #expect(acknowledged >= 300)

        let reopened = try openStores(directory)
        #expect(try reopened.database.integrityCheck() == "ok")
        let stored = try reopened.tokenCredentials.all().count
        #expect(stored >= acknowledged + 1, "acknowledged \(acknowledged + 1), found \(stored)")
        for index in [0, acknowledged / 2, acknowledged] {
            #expect(try reopened.tokenCredentials.tokenCredential(token: "stream-\(index)") != nil)
        }
    }
}
