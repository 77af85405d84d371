import Foundation
import Testing

/// libpq and hiredis are loaded on first use, never linked, so the processes of a SQLite-only site map neither (linking
/// either again would make every process map it at start-up, which this test sees).
@Suite struct ClientLibraryLoadingTests {
    /// File names (without their version suffix) that only a PostgreSQL or Redis site may map.
    static let clientLibraries = ["libpq.so", "libhiredis.so"]

    /// The files a running process has mapped, from /proc/PID/maps (read to its end: procfs reports a size of 0).
    static func mappedFiles(_ pid: Int32) throws -> Set<String> {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/\(pid)/maps"))
        defer { try? handle.close() }
        let maps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        return Set(maps.split(separator: "\n").compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(5).first.map(String.init)
        })
    }

    @Test func sqliteSupervisorAndWorkerMapNeitherLibpqNorHiredis() throws {
        let server = try ProviderServer(workers: 1)
        defer { server.stop() }
        // A served request: the worker has opened its stores.
        #expect(try HTTP.get(server.base + "/health").0 == 200)
        let supervisor = try #require(server.supervisor?.processIdentifier)
        let worker = try #require(server.workerPIDs().first)
        for pid in [supervisor, worker] {
            let files = try Self.mappedFiles(pid)
            // Libraries the binary does link are seen, so an empty answer cannot pass for a clean one.
            #expect(files.contains { $0.contains("/libsqlite3.so") }, "process \(pid) maps: \(files.sorted())")
            let clients = files.filter { file in Self.clientLibraries.contains { file.contains("/" + $0) } }
            #expect(clients.isEmpty, "process \(pid) of a SQLite site maps \(clients.sorted())")
        }
    }
}
