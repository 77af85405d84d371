import OAuth1Gateway
#if canImport(Glibc)
import Glibc
#endif

/// `oauth1-fcgi serve`: binds the socket (or takes the one systemd passed), runs N worker processes on it (each this same binary in FastCGI mode with the socket
/// as fd 0), replaces a worker that dies, recycles one after its request quota, and on SIGTERM lets every worker finish its
/// request in flight before exiting. Workers are processes, not threads: a crash takes one worker, and no accept mutex is
/// shared (docs/architecture.md, section "Processes, not threads").
struct Supervisor {
    let socket: ListeningSocket
    let workers: Int
    let maxRequests: Int
    let gracePeriod: Int = 30

    func run() -> Int32 {
        Signals.installTermination(forFastCGI: false)
        Self.closeInheritedDescriptorsOnExec()
        let listener: Int32
        do {
            listener = try socket.open()
        } catch {
            Log.error("\(error)")
            return 1
        }
        let socketFile = socket.boundFileIdentity()
        Log.info("supervisor started: listening on \(socket) with \(workers) workers, max \(maxRequests) requests each")
        var running = [pid_t: Int64]()
        for _ in 0..<workers { if let pid = spawn(listener) { running[pid] = now() } }

        // SIGTERM, SIGINT and SIGCHLD stay blocked except inside sigsuspend, which unblocks them atomically: a SIGTERM
        // can then never land between the check of the flag and the wait, where a blocking waitpid would miss it.
        var awaited = sigset_t()
        sigemptyset(&awaited)
        for signal in [SIGTERM, SIGINT, SIGCHLD] { sigaddset(&awaited, signal) }
        var waiting = sigset_t()
        sigprocmask(SIG_BLOCK, &awaited, &waiting)
        Signals.installChildNotification()

        var recentCrashes = 0
        while !Signals.stopRequested {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid == 0 {
                sigsuspend(&waiting)
                continue
            }
            if pid < 0 {
                if errno == EINTR { continue }
                if errno == ECHILD, running.isEmpty {
                    // Every spawn failed; try again shortly.
                    sleep(1)
                    for _ in 0..<workers { if let pid = spawn(listener) { running[pid] = now() } }
                    continue
                }
                sigsuspend(&waiting)
                continue
            }
            let started = running.removeValue(forKey: pid) ?? now()
            let clean = Self.exitedCleanly(status)
            Log.info(clean ? "worker \(pid) recycled after its request quota" : "worker \(pid) died (\(Self.describe(status))); replacing it")
            if Signals.stopRequested { break }
            if !clean, now() - started < 2 {
                recentCrashes += 1
                if recentCrashes > 3 { sleep(1) }
            } else {
                recentCrashes = 0
            }
            if let replacement = spawn(listener) { running[replacement] = now() }
        }

        Log.info("supervisor stopping: asking \(running.count) workers to finish their requests")
        for pid in running.keys { kill(pid, SIGTERM) }
        let deadline = now() + Int64(gracePeriod)
        while !running.isEmpty {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 {
                running.removeValue(forKey: pid)
                Log.info("worker \(pid) stopped (\(Self.describe(status)))")
            } else if pid < 0, errno == ECHILD {
                break
            } else if now() > deadline {
                let where_ = running.keys.sorted().map { "\($0) in \(Self.blockedIn($0))" }.joined(separator: ", ")
                for pid in running.keys { kill(pid, SIGKILL) }
                Log.error("workers did not stop within \(gracePeriod)s and were killed: \(where_)")
                gracePeriodExpired(&running)
            } else {
                usleep(20_000)
            }
        }
        close(listener)
        socket.removeFile(boundAs: socketFile)
        Log.info("supervisor stopped")
        return 0
    }

    private func gracePeriodExpired(_ running: inout [pid_t: Int64]) {
        for pid in running.keys { var status: Int32 = 0; waitpid(pid, &status, 0) }
        running.removeAll()
    }

    /// Starts one worker: this binary, with the listening socket as its fd 0.
    private func spawn(_ listener: Int32) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, listener, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let executable = Self.executablePath()
        var environment = ConfigurationSource.processEnvironment().filter { $0.key != "OAUTH1_MAX_REQUESTS" }
        environment["OAUTH1_MAX_REQUESTS"] = String(maxRequests)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(executable), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            Log.error("cannot start a worker: \(String(cString: strerror(result)))")
            return nil
        }
        Log.info("worker \(pid) started")
        return pid
    }

    /// Marks every descriptor above the standard streams close-on-exec, so a worker gets only the socket and the standard
    /// streams, never a descriptor its supervisor happened to inherit (such as a parent's pipe that would then never close).
    static func closeInheritedDescriptorsOnExec() {
        let limit = min(Int32(sysconf(Int32(_SC_OPEN_MAX))), 65_536)
        var descriptor: Int32 = 3
        while descriptor < limit {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
            descriptor += 1
        }
    }

    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    /// Where a process is blocked, from /proc: the kernel function it waits in and its system call line, for the log.
    static func blockedIn(_ pid: pid_t) -> String {
        func read(_ name: String) -> String {
            (ConfigurationSource.readTextFile("/proc/\(pid)/\(name)") ?? "?").split(separator: "\n").first.map(String.init) ?? "?"
        }
        return "wchan=\(read("wchan")) syscall=\(read("syscall"))"
    }

    private func now() -> Int64 { Int64(time(nil)) }

    static func exitedCleanly(_ status: Int32) -> Bool { status & 0x7F == 0 && (status >> 8) & 0xFF == 0 }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exit status \((status >> 8) & 0xFF)" }
        return "killed by signal \(signal)"
    }
}
