@testable import FileAndSQLiteStore
import ProviderStorage
import Foundation
import ProviderCore
import Testing

/// Clients and token credentials are cached per process until any connection commits (`SnapshotCache`): a change made by
/// another process must be seen by the very next look-up, inside `lookUp` or not (another connection's and this
/// connection's own changes are tested for every backend in StoreBehaviourTests).
@Suite struct SnapshotCacheTests {
    struct Seeded {
        let directory: TemporaryDirectory
        let stores: SQLiteStores
        let token: TokenCredential
    }

    func seeded() throws -> Seeded {
        let directory = TemporaryDirectory()
        let stores = try openStores(directory)
        let user = try stores.users.create(username: "alice", password: "correct horse")
        try stores.clients.register(name: "Printer", identifier: "printer", secret: "printer-secret")
        let token = TokenCredential(token: "tok", secret: "tok-secret", clientIdentifier: "printer", userID: String(user.id),
                                    scopes: ["read"], createdAt: 1_700_000_000)
        try stores.tokenCredentials.save(token)
        return Seeded(directory: directory, stores: stores, token: token)
    }

    func helper(_ arguments: [String]) throws -> String {
        let (process, pipe) = try Helper.start(arguments)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func dataVersionHoldsUntilAnyConnectionCommits() throws {
        let seed = try seeded()
        let database = seed.stores.database
        let before = try database.dataVersion()
        #expect(try database.dataVersion() == before)
        _ = try seed.stores.tokenCredentials.all()
        #expect(try database.dataVersion() == before, "a read must not change the version")

        let other = try SQLiteDatabase(path: database.path)
        _ = try other.write { try $0.update("UPDATE token_credentials SET scopes = 'read write' WHERE token = 'tok'") }
        let afterConnection = try database.dataVersion()
        #expect(afterConnection != before)

        #expect(try helper(["revoke", seed.directory.path, "tok"]) == "revoked")
        let afterProcess = try database.dataVersion()
        #expect(afterProcess != afterConnection)

        _ = try database.write { try $0.update("UPDATE token_credentials SET scopes = 'read' WHERE token = 'tok'") }
        #expect(try database.dataVersion() != afterProcess, "this connection's own commit changes it too")
    }

    @Test func cachedTokenShowsRevocationByAnotherProcessAtOnce() throws {
        let seed = try seeded()
        let tokens = seed.stores.tokenCredentials
        #expect(try tokens.tokenCredential(token: "tok") == seed.token)
        #expect(try tokens.tokenCredential(token: "tok") == seed.token)
        #expect(try seed.stores.database.lookUp { try tokens.tokenCredential(token: "tok") } == seed.token)

        #expect(try helper(["revoke", seed.directory.path, "tok"]) == "revoked")
        #expect(try seed.stores.database.lookUp { try tokens.tokenCredential(token: "tok")?.isRevoked } == true)
        #expect(try tokens.tokenCredential(token: "tok")?.isRevoked == true)
    }

    @Test func cachedClientShowsDisablingByAnotherProcessAtOnce() throws {
        let seed = try seeded()
        let clients = seed.stores.clients
        #expect(try seed.stores.database.lookUp { try clients.client(identifier: "printer")?.isDisabled } == false)
        #expect(try clients.client(identifier: "printer")?.isDisabled == false)

        #expect(try helper(["disable-client", seed.directory.path, "printer"]) == "disabled")
        #expect(try clients.client(identifier: "printer")?.isDisabled == true)
        #expect(try seed.stores.database.lookUp { try clients.client(identifier: "printer")?.isDisabled } == true)
    }

    /// The cache itself, with data versions of real commits: it answers only for the state its records were read in,
    /// keeps absences apart from misses, and starts over when full.
    @Test func cacheAnswersOnlyForTheStateItWasFilledIn() throws {
        let seed = try seeded()
        let database = seed.stores.database
        let before = try database.dataVersion()
        _ = try database.write { try $0.update("UPDATE token_credentials SET scopes = 'x' WHERE token = 'tok'") }
        let after = try database.dataVersion()

        let cache = SnapshotCache<String>(capacity: 2)
        #expect(cache.value(for: "a", at: before) == nil)
        cache.store("A", for: "a", readAfter: before)
        cache.store(nil, for: "gone", readAfter: before)
        #expect(cache.value(for: "a", at: before) == .some("A"))
        #expect(cache.value(for: "gone", at: before) == .some(nil), "a cached absence is not a miss")
        #expect(cache.value(for: "a", at: after) == nil, "another state's records are not served")
        cache.store("A2", for: "a", readAfter: after)
        #expect(cache.value(for: "gone", at: after) == nil, "storing for a new state dropped the old records")
        cache.store("B", for: "b", readAfter: after)
        cache.store("C", for: "c", readAfter: after)
        #expect(cache.value(for: "a", at: after) == nil, "a full cache starts over")
        #expect(cache.value(for: "c", at: after) == .some("C"))
    }
}
