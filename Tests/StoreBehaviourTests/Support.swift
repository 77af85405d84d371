import Foundation
import ProviderCore
import ProviderStorage
import Synchronization

/// A fresh directory under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/oauth1-behaviour-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = made.map { String(cString: $0) } ?? NSTemporaryDirectory() + "/oauth1-behaviour-\(UUID().uuidString)"
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A clock the test sets.
final class TestClock: EpochClock {
    private let time: Mutex<Int64>
    init(_ time: Int64 = 1_700_000_000) { self.time = Mutex(time) }
    func now() -> Int64 { time.withLock { $0 } }
    func advance(_ seconds: Int64) { time.withLock { $0 += seconds } }
}

/// Cheap scrypt parameters so tests do not spend seconds hashing.
let fastHasher = PasswordHasher(logN: 4, blockSize: 1, parallelism: 1)

/// Results gathered from several threads.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: Result<T, any Error>] = [:]

    func set(_ index: Int, _ value: Result<T, any Error>) { lock.withLock { values[index] = value } }
    func all(_ count: Int) -> [Result<T, any Error>] {
        lock.withLock { (0..<count).map { values[$0] ?? .failure(CancellationError()) } }
    }
}

/// Runs `body` on `count` threads of their own, released together once all have started, and returns each result by index.
func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, any Error>] {
    let results = ResultBox<T>()
    let started = DispatchGroup()
    let finished = DispatchGroup()
    let gate = DispatchSemaphore(value: 0)
    for index in 0..<count {
        started.enter()
        finished.enter()
        let thread = Thread {
            started.leave()
            gate.wait()
            results.set(index, Result { try body(index) })
            finished.leave()
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
    started.wait()
    for _ in 0..<count { gate.signal() }
    finished.wait()
    return results.all(count)
}

/// The RSA public key certificate ProviderCore's tests use.
func rsaCertificatePEM() throws -> String {
    let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    return try String(contentsOf: tests.appendingPathComponent("ProviderCoreTests/Fixtures/rsa2048-cert.pem"), encoding: .utf8)
}

/// A key ring of its own, for stores a test makes outside a site.
let testSealer = SecretSealer(ring: try! SecretsKeyRing(keys: [.generate()]))
