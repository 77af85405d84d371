import FileAndSQLiteStore
import ProviderStorage
import Foundation
import ProviderCore
import Testing

/// The WAL stays bounded under steady writes from two connections (two workers), because the owner's checkpoint after
/// a response restarts it; and a write inside a read-only look-up is refused instead of deadlocking.
@Suite struct CheckpointTests {
    @Test func walStartsOverUnderWritesFromTwoConnections() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("nonces.sqlite")
        let first = try SQLiteDatabase(path: path, schema: .nonces)
        let second = try SQLiteDatabase(path: path, schema: .nonces)
        let nonces = [SQLiteNonceStore(database: first), SQLiteNonceStore(database: second)]
        // 3,000 inserts from each side write about 20,000 WAL pages (80 MiB) if the WAL never starts over.
        for index in 0..<6_000 {
            let side = index % 2
            let nonce = TimestampNonce(clientIdentifier: "client", token: "token", timestamp: 1_700_000_000 + Int64(index / 500),
                                       nonce: "nonce-\(index)-" + String(repeating: "n", count: 24))
            #expect(try nonces[side].insertIfAbsent(nonce, expiresAt: 1_700_000_600))
            (side == 0 ? first : second).checkpointIfDue()
        }
        let walBytes = (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        // One threshold (4000 pages of 4 KiB) plus what the other side wrote meanwhile; far below 80 MiB.
        #expect(walBytes < 24 * 1024 * 1024, "WAL is \(walBytes) bytes")
        #expect(try nonces[0].count() == 6_000)
    }

    @Test func writeInsideALookUpIsRefused() throws {
        let directory = TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.file("nonces.sqlite"), schema: .nonces)
        let nonces = SQLiteNonceStore(database: database)
        let nonce = TimestampNonce(clientIdentifier: "c", token: "", timestamp: 1, nonce: "n")
        #expect(throws: SQLiteError.self) {
            try database.lookUp { try nonces.insertIfAbsent(nonce, expiresAt: 2) }
        }
        #expect(try nonces.insertIfAbsent(nonce, expiresAt: 2))
    }
}
