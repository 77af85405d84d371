import FileAndSQLiteStore
import Foundation
import PostgreSQLAndRedisStore
import ProviderCore
@testable import ProviderStorage
import Testing
import TestServers

/// Client and token secrets are stored sealed with AES-256-GCM under the secrets key file: not in the database's files nor
/// in a dump, bound to their row, sealed by `migrate` when an older version left them in clear, and sealed again under a
/// new key by a rotation that another process reading meanwhile does not notice.
@Suite struct SecretsAtRestTests {
    /// Runs SQL on the site's database directly, as a backup, an attacker or an older version would see it.
    struct RawDatabase {
        let stores: ProviderStores

        func value(_ sql: StaticString, _ key: String) throws -> String? {
            if let sqlite = stores.backend as? SQLiteStores {
                return try sqlite.database.read { try $0.query(sql, parameters: [key]).first?.text(0) }
            }
            let postgresql = try #require(stores.backend as? PostgreSQLStores)
            return try postgresql.database.read { try $0.query(sql, parameters: [key]).first?.text(0) }
        }

        @discardableResult
        func update(_ sql: StaticString, _ parameters: [String]) throws -> Int {
            if let sqlite = stores.backend as? SQLiteStores {
                return try sqlite.database.write { try $0.update(sql, parameters: parameters) }
            }
            let postgresql = try #require(stores.backend as? PostgreSQLStores)
            return try postgresql.database.write { try $0.update(sql, parameters: parameters) }
        }

        func clientSecret(_ identifier: String) throws -> String? {
            try value("SELECT secret FROM clients WHERE client_id = ?", identifier)
        }

        func tokenSecret(_ token: String) throws -> String? {
            try value("SELECT secret FROM token_credentials WHERE token = ?", token)
        }

        /// Every byte the site keeps: the SQLite files of the data directory (the database and its WAL), or a pg_dump.
        func everything(_ site: TestSite) throws -> [UInt8] {
            if let directory = site.dataDirectory, site.databaseURL == nil {
                return try FileManager.default.contentsOfDirectory(atPath: directory.path)
                    .filter { $0.hasPrefix("oauth1.sqlite") }
                    .flatMap { Array(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/" + $0))) }
            }
            let url = try #require(site.databaseURL)
            let afterHost = try #require(url.range(of: "@/")?.upperBound)
            let name = String(url[afterHost...].prefix { $0 != "?" })
            return Array(try PostgreSQLServer.shared.dump(database: name).utf8)
        }
    }

    @Test func aes256GCMGivesTheGCMSpecificationsTestCase16AndRefusesAnyChange() throws {
        // McGrew and Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 60-byte text, 20-byte AAD).
        let key = try #require(Digest.bytes(fromHex: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"))
        let nonce = try #require(Digest.bytes(fromHex: "cafebabefacedbaddecaf888"))
        let plaintext = try #require(Digest.bytes(fromHex: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"))
        let associated = try #require(Digest.bytes(fromHex: "feedfacedeadbeeffeedfacedeadbeefabaddad2"))
        let sealed = try #require(AES256GCM.seal(plaintext, key: key, nonce: nonce, associatedData: associated))
        #expect(Digest.hex(sealed) == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
                + "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(AES256GCM.open(sealed, key: key, nonce: nonce, associatedData: associated) == plaintext)
        var flipped = sealed
        flipped[7] ^= 1
        #expect(AES256GCM.open(flipped, key: key, nonce: nonce, associatedData: associated) == nil, "a changed byte")
        #expect(AES256GCM.open(sealed, key: key, nonce: nonce, associatedData: associated + [0]) == nil, "other associated data")
    }

    @Test(arguments: TestBackend.available)
    func secretsJustIssuedAreInNeitherTheDatabaseFilesNorADump(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let stores = seed.stores
        let client = try stores.clients.register(name: "Scanner", callbackURIs: ["oob"])
        let tokenSecret = CredentialGenerator().string(length: 48)
        try stores.tokenCredentials.save(TokenCredential(token: "issued", secret: tokenSecret, clientIdentifier: client.identifier,
                                                         userID: String(seed.user.id), createdAt: 1_700_000_000))
        let raw = RawDatabase(stores: stores)
        let storedClient = try #require(try raw.clientSecret(client.identifier))
        let storedToken = try #require(try raw.tokenSecret("issued"))
        #expect(storedClient.hasPrefix("enc1:") && storedToken.hasPrefix("enc1:"), "\(storedClient) \(storedToken)")

        let bytes = try raw.everything(seed.site)
        #expect(bytes.count > 1000, "the files or the dump were read")
        for secret in [client.secret, tokenSecret, "printer-secret"] {
            #expect(!bytes.contains(Array(secret.utf8)), "\(secret) is stored in clear")
        }
        let fresh = try openStores(seed.site, clock: TestClock())
        #expect(try fresh.stores.clients.client(identifier: client.identifier)?.secret == client.secret)
        #expect(try fresh.stores.tokenCredentials.tokenCredential(token: "issued")?.secret == tokenSecret)

        // A temporary credential's secret, in the database or in Redis.
        let temporarySecret = CredentialGenerator().string(length: 48)
        try stores.temporaryCredentials.save(TemporaryCredential(token: "temporary", secret: temporarySecret, clientIdentifier: client.identifier,
                                                                 callback: "oob", expiresAt: 4_000_000_000))
        let storedTemporary: String?
        if let redisURL = seed.site.redisURL, let prefix = seed.site.redisKeyPrefix {
            let database = try #require(redisURL.split(separator: "=").last.map(String.init))
            storedTemporary = try RedisServer.shared.cli("-n", database, "HGET", prefix + "temporary:temporary", "secret")
        } else {
            storedTemporary = try raw.value("SELECT secret FROM temporary_credentials WHERE token = ?", "temporary")
        }
        #expect(storedTemporary?.hasPrefix("enc1:") == true, "\(storedTemporary ?? "nothing stored")")
        #expect(try fresh.stores.temporaryCredentials.temporaryCredential(token: "temporary")?.secret == temporarySecret)
    }

    @Test(arguments: TestBackend.available)
    func aSealedSecretCopiedIntoAnotherRowDoesNotOpen(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        try seed.stores.clients.register(name: "Other", identifier: "other", secret: "other-secret")
        let raw = RawDatabase(stores: seed.stores)
        let printers = try #require(try raw.clientSecret("printer"))
        #expect(try raw.update("UPDATE clients SET secret = ? WHERE client_id = ?", [printers, "other"]) == 1)
        let fresh = try openStores(seed.site, clock: TestClock())
        let error = #expect(throws: SecretsKeyError.self) { try fresh.stores.clients.client(identifier: "other") }
        #expect(error?.message.contains("does not open") == true, "\(String(describing: error))")
        #expect(try fresh.stores.clients.client(identifier: "printer")?.secret == "printer-secret", "the row it belongs to still opens")
    }

    @Test(arguments: TestBackend.available)
    func secretsAnOlderVersionStoredInClearAreReadAndThenSealedByMigrate(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let stores = seed.stores
        try stores.tokenCredentials.save(TokenCredential(token: "old", secret: "sealed-later", clientIdentifier: "printer",
                                                         userID: String(seed.user.id), createdAt: 1_700_000_000))
        let raw = RawDatabase(stores: stores)
        try raw.update("UPDATE clients SET secret = ? WHERE client_id = ?", ["legacy-client-secret", "printer"])
        try raw.update("UPDATE token_credentials SET secret = ? WHERE token = ?", ["legacy-token-secret", "old"])
        let before = try openStores(seed.site, clock: TestClock())
        #expect(try before.stores.clients.client(identifier: "printer")?.secret == "legacy-client-secret")

        let report = try stores.backend.sealSecrets()
        #expect(report.clients == 1 && report.tokenCredentials == 1, "\(report)")
        #expect(try raw.clientSecret("printer")?.hasPrefix("enc1:") == true)
        #expect(try raw.tokenSecret("old")?.hasPrefix("enc1:") == true)
        #expect(try stores.backend.sealSecrets() == SecretSealingReport(), "a second migrate has nothing to seal")
        let after = try openStores(seed.site, clock: TestClock())
        #expect(try after.stores.clients.client(identifier: "printer")?.secret == "legacy-client-secret")
        #expect(try after.stores.tokenCredentials.tokenCredential(token: "old")?.secret == "legacy-token-secret")
    }

    @Test(arguments: TestBackend.available)
    func aRotationSealsEverySecretUnderTheNewKeyWhileAnotherProcessGoesOnReading(_ backend: TestBackend) throws {
        let seed = try seeded(backend)
        let stores = seed.stores
        try stores.tokenCredentials.save(TokenCredential(token: "tok", secret: "tok-secret", clientIdentifier: "printer",
                                                         userID: String(seed.user.id), createdAt: 1_700_000_000))
        // Another process has read the ring with the old key only, and cached the client.
        let reader = try openStores(seed.site, clock: TestClock())
        #expect(try reader.stores.clients.client(identifier: "printer")?.secret == "printer-secret")
        let path = try #require(stores.backend.secrets.keyFilePath)
        let old = try stores.backend.secrets.reload()

        // What `rotate-secrets-key` does: the new key first, every secret sealed again, the old key removed.
        let new = SecretsKeyRing.Key.generate()
        try SecretsKeyFile.replace(path, with: SecretsKeyRing(keys: [new] + old.keys))
        let report = try stores.backend.sealSecrets()
        #expect(report.clients == 1 && report.tokenCredentials == 1, "\(report)")
        #expect(try reader.stores.clients.client(identifier: "printer")?.secret == "printer-secret", "the old key still opens meanwhile")
        try SecretsKeyFile.replace(path, with: SecretsKeyRing(keys: [new]))

        let raw = RawDatabase(stores: stores)
        #expect(try raw.clientSecret("printer")?.hasPrefix("enc1:\(new.identifier):") == true)
        #expect(try raw.tokenSecret("tok")?.hasPrefix("enc1:\(new.identifier):") == true)
        #expect(try SecretsKeyFile.read(path)?.ring.keys == [new], "the old key is gone from the file")
        #expect(try reader.stores.tokenCredentials.tokenCredential(token: "tok")?.secret == "tok-secret",
                "the reader, which never knew the new key, reads the file again when a secret names it")
        #expect(try reader.stores.clients.client(identifier: "printer")?.secret == "printer-secret")
    }

    @Test func aSQLiteSiteMakesItsKeyFilePrivateAndNeverReplacesALostOne() throws {
        let seed = try seeded(.sqlite)
        let directory = try #require(seed.site.dataDirectory).path
        var status = stat()
        #expect(stat(directory + "/secrets.key", &status) == 0 && status.st_mode & 0o777 == 0o600, "made 0600 on first use")

        try FileManager.default.removeItem(atPath: directory + "/secrets.key")
        let reopened = try openStores(seed.site, clock: TestClock())
        let error = #expect(throws: SecretsKeyError.self) { try reopened.stores.clients.client(identifier: "printer") }
        #expect(error?.message.contains("does not exist") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: directory + "/secrets.key"), "no new key that would open nothing")
    }

    @Test func aKeyFileEveryUserCanReadOrThatIsNotAKeyIsRefused() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/secrets.key"
        #expect(try SecretsKeyFile.create(path))
        #expect(try !SecretsKeyFile.create(path), "an existing file is left alone")
        chmod(path, 0o644)
        let readable = #expect(throws: SecretsKeyError.self) { try SecretsKeyFile.read(path) }
        #expect(readable?.message.contains("readable by every user") == true)
        chmod(path, 0o600)
        try "# comment\nnot-base64\n".write(toFile: path, atomically: false, encoding: .utf8)
        let malformed = #expect(throws: SecretsKeyError.self) { try SecretsKeyFile.read(path) }
        #expect(malformed?.message.contains("line 2 is not a key") == true, "\(String(describing: malformed))")
    }

    @Test func sealedValuesParseOnlyInTheirExactForm() throws {
        let ring = try SecretsKeyRing(keys: [.generate()])
        let stored = try SecretSealer(ring: ring).seal("s3cret", owner: .client("c"))
        let parsed = try #require(SealedSecret(stored: stored))
        #expect(parsed.keyIdentifier == ring.sealingKey.identifier && parsed.stored == stored)
        for damaged in ["enc1:", "enc1:abc:AAAA", "enc1:ABCDEF12:" + stored.split(separator: ":")[2], stored + "=", "enc1:0123456g:AAAA"] {
            #expect(SealedSecret(stored: damaged) == nil, "\(damaged)")
        }
        #expect(throws: SecretsKeyError.self) { try SecretSealer(ring: ring).open("enc1:zz", owner: .client("c")) }
        #expect(try SecretSealer(ring: ring).open(stored, owner: .client("c")) == "s3cret")
        #expect(throws: SecretsKeyError.self, "another kind of row") { try SecretSealer(ring: ring).open(stored, owner: .tokenCredential("c")) }
    }
}
