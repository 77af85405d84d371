import FileAndSQLiteStore
import ProviderStorage
import Foundation
import ProviderCore
import Synchronization
import Testing

/// A fresh directory under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/oauth1-store-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = made.map { String(cString: $0) } ?? NSTemporaryDirectory() + "/oauth1-store-\(UUID().uuidString)"
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// A clock the test sets.
final class TestClock: EpochClock {
    private let time: Mutex<Int64>
    init(_ time: Int64 = 1_700_000_000) { self.time = Mutex(time) }
    func now() -> Int64 { time.withLock { $0 } }
    func advance(_ seconds: Int64) { time.withLock { $0 += seconds } }
}

/// Cheap scrypt parameters so tests do not spend seconds hashing; the standard parameters are tested once on their own.
let fastHasher = PasswordHasher(logN: 4, blockSize: 1, parallelism: 1)

extension StorageConfiguration.ExpiringStore {
    /// The value of `OAUTH1_NONCES` (and of StoreRaceHelper's NONCES argument) that chooses this home of nonces.
    var setting: String { self == .table ? "table" : "sqlite" }
}

/// Opens the stores on a test directory, with nonces in `nonces` and a cheap password hasher.
func openStores(_ directory: TemporaryDirectory, nonces: StorageConfiguration.ExpiringStore = .table,
                clock: TestClock = TestClock()) throws -> SQLiteStores {
    try SQLiteStores(StorageConfiguration(dataDirectory: directory.path, nonces: nonces), clock: clock, hasher: fastHasher)
}

/// Runs the StoreRaceHelper executable built beside the tests.
enum Helper {
    static var binary: URL {
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("StoreRaceHelper")
    }

    static func start(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        return (process, output)
    }

    /// Starts a helper that prints one increasing index per acknowledged write, SIGKILLs it once it has printed at least
    /// `count`, and returns the highest index it printed (lines written after the last read included).
    static func killMidStream(_ arguments: [String], after count: Int) throws -> Int {
        let (process, pipe) = try start(arguments)
        var acknowledged = -1
        var buffer = ""
        let reader = pipe.fileHandleForReading
        while acknowledged < count {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffer += String(decoding: chunk, as: UTF8.self)
            let lines = buffer.split(separator: "\n", omittingEmptySubsequences: false)
            for line in lines.dropLast() { if let value = Int(line) { acknowledged = max(acknowledged, value) } }
            buffer = String(lines.last ?? "")
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        // Lines written after our last read were acknowledged too; read them before judging.
        let rest = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        for line in (buffer + rest).split(separator: "\n") { if let value = Int(line) { acknowledged = max(acknowledged, value) } }
        return acknowledged
    }

    /// Starts one process per argument list, releases them together through a barrier file, and returns each one's output.
    static func race(_ argumentLists: [[String]], barrier: String) throws -> [String] {
        let started = try argumentLists.map { try start($0) }
        usleep(200_000)
        FileManager.default.createFile(atPath: barrier, contents: Data())
        return started.map { process, pipe in
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "helper \(process.arguments ?? []) exited \(process.terminationStatus)")
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}

/// The homes of nonces inside a SQLite site's data directory.
let fileNonceStores: [StorageConfiguration.ExpiringStore] = [.table, .sqlite]
