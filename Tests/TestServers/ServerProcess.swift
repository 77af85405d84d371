import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A server the test process started and could not stop itself, reported with what it printed.
public struct TestServerError: Error, Sendable, CustomStringConvertible {
    /// What failed and what the command printed.
    public let detail: String

    /// Creates the error.
    public init(_ detail: String) { self.detail = detail }

    public var description: String { detail }
}

/// Commands, temporary directories and clean-up shared by the throwaway servers.
enum ServerProcess {
    /// Runs a command to its end with its output in a file (a daemon it forks cannot hold a pipe open), and returns
    /// the exit status and the output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let log = scratchDirectory + "/output-\(commandCounter.add(1, ordering: .relaxed).newValue)"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let pid = try spawn(executable, arguments, environment: environment, output: log)
        let status = waitForExit(pid)
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return (status, output)
    }

    /// Where commands' output goes, one directory per process, removed at exit or by a watchdog.
    private static let scratchDirectory: String = {
        let directory = makeTemporaryDirectory(prefix: "oauth1-cmd")
        watchdog(cleanup: "rm -rf " + quoted(directory))
        atExit { try? FileManager.default.removeItem(atPath: directory) }
        return directory
    }()
    private static let commandCounter = Atomic<Int>(0)

    /// Starts a program with posix_spawn, stdin from /dev/null and stdout and stderr appended to `output` (or
    /// /dev/null), and returns its process id; the caller reaps it with `waitForExit`. (Foundation's Process is not
    /// used: its reaping of children stalls when tests start processes from several threads.)
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                      output: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard status == 0 else { throw TestServerError("cannot start \(executable): \(String(cString: strerror(status)))") }
        return pid
    }

    /// Waits for a child started by `spawn` and returns its exit status (128 + the signal when a signal ended it).
    @discardableResult
    static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Runs a command and fails with its output unless it exits 0.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let (status, output) = try run(executable, arguments, environment: environment)
        guard status == 0 else {
            throw TestServerError("\(executable) \(arguments.joined(separator: " ")) exited \(status): \(output)")
        }
        return output
    }

    /// A fresh 0700 directory; under /tmp when the temporary directory's path would make a socket path too long.
    static func makeTemporaryDirectory(prefix: String) -> String {
        var base = NSTemporaryDirectory()
        if base.utf8.count > 40 { base = "/tmp" }
        var template = Array((base + "/" + prefix + "-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let made else { fatalError("mkdtemp failed under \(base): errno \(errno)") }
        return URL(fileURLWithPath: String(cString: made)).standardizedFileURL.path
    }

    /// Starts `sh -c script` in a session of its own (setsid forks, and the intermediate exits at once, reaped here),
    /// with no terminal and no inherited descriptors beyond /dev/null, so it outlives this process.
    static func detach(_ script: String) {
        guard let pid = try? spawn("/usr/bin/setsid", ["-f", "/bin/sh", "-c", script]) else { return }
        waitForExit(pid)
    }

    /// A watchdog that runs `cleanup` once this process is gone, however it ended (a SIGKILL included).
    static func watchdog(cleanup: String) {
        detach("while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(cleanup)")
    }

    /// Quotes a word for sh.
    static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Whether a process with this id exists.
    static func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// Waits until `condition` holds, polling every 20 ms, for at most `seconds`.
    static func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// Clean-ups to run when the process exits normally, in the order registered.
    private static let exitActions = Mutex<[@Sendable () -> Void]>([])
    private static let exitHookInstalled = Mutex(false)

    /// Runs `action` at exit (`atexit`).
    static func atExit(_ action: @escaping @Sendable () -> Void) {
        exitActions.withLock { $0.append(action) }
        let install = exitHookInstalled.withLock { installed in
            defer { installed = true }
            return !installed
        }
        if install {
            atexit {
                let actions = ServerProcess.exitActions.withLock { actions in
                    defer { actions = [] }
                    return actions
                }
                for action in actions { action() }
            }
        }
    }
}
