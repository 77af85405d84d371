import Foundation

/// The output of a finished child process.
struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs child processes with a deadline, so no test can hang.
enum ProcessRunner {
    /// The directory holding the built products (the test bundle's directory).
    static var productsDirectory: URL {
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory
    }

    /// The oauth1-fcgi binary under test.
    static var binary: String { productsDirectory.appendingPathComponent("oauth1-fcgi").path }

    /// The repository root.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a program to completion (killing it after `timeout` seconds) and returns its status and output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: String? = nil,
                    timeout: TimeInterval = 120) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        let errors = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let collected = OutputCollector(output: output, errors: errors)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let (out, err) = collected.finish()
            return ProcessResult(status: -1, stdout: out, stderr: "timed out after \(timeout)s\n" + err)
        }
        process.waitUntilExit()
        let (out, err) = collected.finish()
        return ProcessResult(status: process.terminationStatus, stdout: out, stderr: err)
    }
}

/// Drains a process's two pipes on background threads so a chatty child never blocks on a full pipe.
final class OutputCollector: @unchecked Sendable {
    private var out = Data()
    private var err = Data()
    private let group = DispatchGroup()
    private let lock = NSLock()

    init(output: Pipe, errors: Pipe) {
        for (pipe, isOut) in [(output, true), (errors, false)] {
            group.enter()
            let handle = pipe.fileHandleForReading
            Thread.detachNewThread { [self] in
                let data = handle.readDataToEndOfFile()
                lock.lock()
                if isOut { out = data } else { err = data }
                lock.unlock()
                group.leave()
            }
        }
    }

    func finish() -> (String, String) {
        group.wait()
        lock.lock()
        defer { lock.unlock() }
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
