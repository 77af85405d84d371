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

    /// Runs a program to completion (killing it after `timeout` seconds) and returns its status and output. The child is
    /// started with posix_spawn and reaped with waitpid here: Foundation's `Process` can miss a child's exit and then
    /// wait for ever, which no deadline would cut short.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: String? = nil,
                    timeout: TimeInterval = 120) throws -> ProcessResult {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0], errors: [Int32] = [0, 0]
        // Close-on-exec (Glibc's module does not export pipe2), so that a child another test spawns at the same moment does not inherit these pipes (and keep
        // this child's standard input open, or its output from ending); the child's own copies, made by dup2, are not.
        guard pipe(&input) == 0, pipe(&output) == 0, pipe(&errors) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "pipe: \(String(cString: strerror(errno)))"])
        }
        for descriptor in input + output + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + variables { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, variables)
        for descriptor in [input[0], output[1], errors[1]] { close(descriptor) }
        guard spawned == 0 else {
            for descriptor in [input[1], output[0], errors[0]] { close(descriptor) }
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "cannot start \(executable): \(String(cString: strerror(spawned)))"])
        }
        let collected = OutputCollector(output: FileHandle(fileDescriptor: output[0], closeOnDealloc: true),
                                        errors: FileHandle(fileDescriptor: errors[0], closeOnDealloc: true))
        let writer = FileHandle(fileDescriptor: input[1], closeOnDealloc: false)
        if let stdin { try? writer.write(contentsOf: Data(stdin.utf8)) }
        close(input[1])
        let status = waitForExit(pid, timeout: timeout)
        let (out, err) = collected.finish()
        guard let status else {
            return ProcessResult(status: -1, stdout: out, stderr: "timed out after \(timeout)s\n" + err)
        }
        return ProcessResult(status: status, stdout: out, stderr: err)
    }

    /// Reaps `pid`, killing it once `timeout` has passed; returns its exit status (128 + the signal when a signal ended
    /// it), or nil when it had to be killed.
    static func waitForExit(_ pid: pid_t, timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var killed = false
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped == -1 && errno != EINTR { return killed ? nil : -1 }
            if !killed && Date() >= deadline {
                kill(pid, SIGKILL)
                killed = true
            }
            usleep(5_000)
        }
        if killed { return nil }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

extension Process {
    /// Waits for the process to end, killing it after `timeout` seconds, without relying on Foundation noticing the exit
    /// (it can miss one): the exit is looked at with `waitid(WNOWAIT)`, which leaves the reaping to Foundation.
    func waitForExit(timeout: TimeInterval = 30) {
        let deadline = Date().addingTimeInterval(timeout)
        var killed = false
        while isRunning {
            var info = siginfo_t()
            let looked = waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT)
            if looked == -1 && errno != EINTR { return }
            if looked == 0 && info._sifields._sigchld.si_pid == processIdentifier { return }
            if !killed && Date() >= deadline {
                kill(processIdentifier, SIGKILL)
                killed = true
            }
            usleep(5_000)
        }
    }
}

/// Drains a process's two pipes on background threads so a chatty child never blocks on a full pipe.
final class OutputCollector: @unchecked Sendable {
    private var out = Data()
    private var err = Data()
    private let group = DispatchGroup()
    private let lock = NSLock()

    convenience init(output: Pipe, errors: Pipe) {
        self.init(output: output.fileHandleForReading, errors: errors.fileHandleForReading)
    }

    init(output: FileHandle, errors: FileHandle) {
        for (handle, isOut) in [(output, true), (errors, false)] {
            group.enter()
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
