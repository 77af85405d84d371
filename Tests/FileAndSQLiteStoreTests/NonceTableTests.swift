@testable import FileAndSQLiteStore
import ProviderStorage
import Foundation
import ProviderCore
import Testing

/// The nonce table on real files: exactly-once acceptance past level 0, across store instances and processes, after
/// SIGKILL, with hostile timestamps and damaged files.
@Suite struct NonceTableTests {
    func nonce(_ index: Int, timestamp: Int64 = 1_700_000_000, token: String = "tok") -> TimestampNonce {
        TimestampNonce(clientIdentifier: "client", token: token, timestamp: timestamp, nonce: "nonce-\(index)")
    }

    @Test func everyNonceIsAcceptedOnceEvenPastLevelZero() throws {
        let directory = TemporaryDirectory()
        let table = try NonceTableStore(directory: directory.path, smallestBaseSlots: 1024)
        // 20,000 nonces of one partition: level 0 has 1,024 slots, so most of them land in levels 1 to 3.
        for index in 0..<20_000 { #expect(try table.insertIfAbsent(nonce(index), expiresAt: 1_700_000_600)) }
        let second = try NonceTableStore(directory: directory.path)
        var replayed = 0
        for index in 0..<20_000 where try second.insertIfAbsent(nonce(index), expiresAt: 1_700_000_600) { replayed += 1 }
        #expect(replayed == 0)
        #expect(try table.count() == 20_000)
        #expect(try table.insertIfAbsent(nonce(0, token: "other"), expiresAt: 1_700_000_600), "another token is another tuple")
        #expect(try table.insertIfAbsent(nonce(0, timestamp: 1_700_000_001), expiresAt: 1_700_000_600), "another timestamp too")
    }

    @Test func aNewPartitionStartsAsLargeAsThePreviousOneGrew() throws {
        let directory = TemporaryDirectory()
        let table = try NonceTableStore(directory: directory.path, smallestBaseSlots: 4096)
        let span = Int64(64)
        for index in 0..<10_000 { _ = try table.insertIfAbsent(nonce(index, timestamp: 10 * span), expiresAt: 2000) }
        _ = try table.insertIfAbsent(nonce(0, timestamp: 11 * span), expiresAt: 2000)
        let previous = try #require(try NonceTablePartition(number: 10, directory: directory.path, smallestBaseSlots: 4096, deleteAfter: nil))
        let next = try #require(try NonceTablePartition(number: 11, directory: directory.path, smallestBaseSlots: 4096, deleteAfter: nil))
        #expect(previous.baseSlots == 4096)
        #expect(next.baseSlots >= 16_384, "10,000 nonces spill past 4,096 slots; the next partition starts with room for them")
    }

    @Test func fourProcessesAcceptEachOfSixThousandNoncesOnce() throws {
        let directory = TemporaryDirectory()
        // A small level 0 (fixed in the format file the processes then read), so the race runs through levels 1 and 2.
        _ = try NonceTableStore(directory: directory.path + "/" + SQLiteStores.nonceTableDirectoryName, smallestBaseSlots: 1024)
        _ = try openStores(directory)
        let barrier = directory.file("go")
        let outputs = try Helper.race(Array(repeating: ["nonces", directory.path, "table", barrier, "6000"], count: 4), barrier: barrier)
        let accepted = outputs.flatMap { $0.split(separator: " ").compactMap { Int($0) } }
        #expect(accepted.count == 6000)
        #expect(Set(accepted) == Set(0..<6000))
    }

    @Test func acknowledgedNoncesSurviveSIGKILL() throws {
        let directory = TemporaryDirectory()
        _ = try openStores(directory)
        let acknowledged = try Helper.killMidStream(["nonce-stream", directory.path], after: 2000)
        #expect(acknowledged >= 2000)

        let stores = try openStores(directory)
        for index in 0...acknowledged {
            let replay = TimestampNonce(clientIdentifier: "stream-client", token: "stream-token", timestamp: 1_700_000_000, nonce: "stream-\(index)")
            if try stores.nonces.insertIfAbsent(replay, expiresAt: Int64.max / 2) {
                Issue.record("acknowledged nonce \(index) was accepted again after SIGKILL")
                break
            }
        }
    }

    @Test(arguments: [Int64.max, Int64.min, -1, 0, 63, 64])
    func extremeTimestampsAreStoredOnce(_ timestamp: Int64) throws {
        let directory = TemporaryDirectory()
        let table = try NonceTableStore(directory: directory.path)
        for expiresAt in [Int64.max, Int64.min, 0] {
            let value = nonce(Int(truncatingIfNeeded: expiresAt), timestamp: timestamp)
            #expect(try table.insertIfAbsent(value, expiresAt: expiresAt))
            #expect(try !table.insertIfAbsent(value, expiresAt: expiresAt))
        }
    }

    @Test func damagedFilesAreErrorsNotCrashes() throws {
        let directory = TemporaryDirectory()
        let table = try NonceTableStore(directory: directory.path)
        #expect(try table.insertIfAbsent(nonce(1), expiresAt: 1_700_000_600))
        let partition = directory.path + "/" + NonceTablePartition.fileName(NonceTableStore.floorDivision(1_700_000_000, 64))
        #expect(try String(contentsOfFile: directory.path + "/format", encoding: .utf8).contains("\nlevel0-slots 65536\n"))
        try Data("not a partition".utf8).write(to: URL(fileURLWithPath: partition))
        let reopened = try NonceTableStore(directory: directory.path)
        #expect(throws: CorruptRecordError.self) { try reopened.insertIfAbsent(nonce(2), expiresAt: 1_700_000_600) }

        // A partition header with the right magic but a level 0 no 64-bit Int can hold.
        var header = Data("oauth1nt".utf8) + Data(count: 8) + Data(repeating: 0xFF, count: 8) + Data(count: 8)
        header += Data(count: 4096 - header.count)
        try header.write(to: URL(fileURLWithPath: partition))
        #expect(throws: CorruptRecordError.self) { try NonceTableStore(directory: directory.path).insertIfAbsent(nonce(3), expiresAt: 1_700_000_600) }

        try Data("oauth1-fcgi nonce table 1\npartition-seconds 64\nlevel0-slots 65536\nsalt zz\n".utf8).write(to: URL(fileURLWithPath: directory.path + "/format"))
        #expect(throws: CorruptRecordError.self) { _ = try NonceTableStore(directory: directory.path) }
    }
}

/// SipHash-2-4-128 (OpenSSL's) against the reference implementation's vectors (key 00..0f, message 00..len-1).
@Suite struct SipHash128Tests {
    static let vectors: [(Int, String)] = [
        (0, "a3817f04ba25a8e66df67214c7550293"), (1, "da87c1d86b99af44347659119b22fc45"),
        (7, "a1f1ebbed8dbc153c0b84aa61ff08239"), (8, "3b62a9ba6258f5610f83e264f31497b4"),
        (15, "5493e99933b0a8117e08ec0f97cfc3d9"), (16, "6ee2a4ca67b054bbfd3315bf85230577"),
        (63, "5150d1772f50834a503e069a973fbd7c"),
    ]

    @Test(arguments: vectors)
    func matchesTheReferenceVectors(_ length: Int, _ expected: String) throws {
        let key = (0..<16).map { UInt8($0) }
        let message = (0..<length).map { UInt8($0) }
        #expect(Digest.hex(try SipHash128.hash(message, key: key)) == expected)
    }
}

/// Fingerprints and a whole partition file as the nonce table wrote them before SipHash came from OpenSSL (the values
/// were computed by the hand-written SipHash it replaced): tables written by older binaries keep working.
@Suite struct NonceTableFormatStabilityTests {
    static let salt = (0..<32).map { UInt8($0 * 7 + 3) }

    @Test(arguments: [
        ("client", "", Int64(1_700_000_000), "abc", "8f9358578c0dbb750335c969480bf7de", UInt64(7_141_539_550_835_223_446), UInt64(17_203_412_850_415_493_854)),
        ("printer", "tok", -5, "x' OR 1=1 \u{1F600}", "1cc8759bbeb96c9e16d03a2938bc1e87", 8_191_967_751_414_884_394, 6_666_101_911_992_115_709),
        ("", "", Int64.max, String(repeating: "n", count: 100), "a3597122b523ec9e768a87a8e2ff7dee", 3_664_482_938_630_880_540, 16_230_072_186_980_120_396),
    ] as [(String, String, Int64, String, String, UInt64, UInt64)])
    func fingerprintsAreUnchanged(_ client: String, _ token: String, _ timestamp: Int64, _ nonce: String, _ bytes: String,
                                  _ seed0: UInt64, _ seed3: UInt64) throws {
        let fingerprint = try NonceFingerprint(TimestampNonce(clientIdentifier: client, token: token, timestamp: timestamp, nonce: nonce), salt: Self.salt)
        #expect(Digest.hex(fingerprint.bytes) == bytes)
        #expect(fingerprint.windowSeed(level: 0) == seed0)
        #expect(fingerprint.windowSeed(level: 3) == seed3)
    }

    @Test func aPartitionFileIsByteForByteUnchanged() throws {
        let directory = TemporaryDirectory()
        try Data("oauth1-fcgi nonce table 1\npartition-seconds 64\nlevel0-slots 16\nsalt \(Digest.hex(Self.salt))\n".utf8)
            .write(to: URL(fileURLWithPath: directory.path + "/format"))
        let table = try NonceTableStore(directory: directory.path, clock: TestClock())
        for index in 0..<300 {
            let nonce = TimestampNonce(clientIdentifier: "client", token: index % 3 == 0 ? "" : "tok\(index % 7)",
                                       timestamp: 1_700_000_000 + Int64(index % 5), nonce: "nonce-\(index)")
            #expect(try table.insertIfAbsent(nonce, expiresAt: 1_700_000_600))
        }
        let path = directory.path + "/" + NonceTablePartition.fileName(NonceTableStore.floorDivision(1_700_000_000, 64))
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(file.count == 17_168)
        #expect(Digest.hex(Digest.hash(.sha256, Array(file))) == "497e595aacdefd817ffd125795377f599b61981a7a55c6e9f2c4bc00eed6f91e")
        #expect(try table.count() == 300)
    }
}

/// `OAUTH1_NONCES=sqlite`: nonces in `nonces.sqlite` instead of the nonce table, with the same once-only rule and purge.
@Suite struct SQLiteNonceBackendTests {
    @Test func noncesGoToNoncesSqliteWhenChosen() throws {
        let directory = TemporaryDirectory()
        let clock = TestClock()
        let stores = try openStores(directory, nonces: .sqlite, clock: clock)
        let nonce = TimestampNonce(clientIdentifier: "c", token: "t", timestamp: clock.now(), nonce: "n")
        #expect(try stores.nonces.insertIfAbsent(nonce, expiresAt: clock.now() + 600))
        #expect(try !stores.nonces.insertIfAbsent(nonce, expiresAt: clock.now() + 600))
        #expect(stores.nonceTable == nil)
        #expect(FileManager.default.fileExists(atPath: directory.file(SQLiteStores.nonceDatabaseFileName)))
        #expect(!FileManager.default.fileExists(atPath: directory.file(SQLiteStores.nonceTableDirectoryName)))
        clock.advance(600)
        #expect(try stores.purge().nonces == 1)
        #expect(try stores.nonces.insertIfAbsent(nonce, expiresAt: clock.now() + 600), "a purged nonce is forgotten")
        #expect(throws: StoreInputError.self) { _ = try StorageConfiguration.ExpiringStore(setting: "files") }
    }
}
