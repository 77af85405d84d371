import OAuth1Gateway
#if canImport(Glibc)
import Glibc
#endif

/// `oauth1-fcgi serve`: binds the socket (or takes the one systemd passed), runs N worker processes on it (each this same binary in FastCGI mode with the socket
/// as fd 0), replaces a worker that dies, recycles one after its request quota, on SIGHUP reads the configuration again and
/// replaces the workers one at a time, and on SIGTERM lets every worker finish its request in flight before exiting.
/// Workers are processes, not threads: a crash takes one worker, and no accept mutex is shared (docs/architecture.md,
/// section "Processes, not threads"; docs/operations.md, "Reloading the configuration").
final class Supervisor {
    let socket: ListeningSocket
    let workers: Int
    let maxRequests: Int
    let settings: WorkerSettings
    let gracePeriod: Int = 30
    /// Seconds a worker started by a reload gets to reach its accept loop before the reload moves on without it.
    let readyTimeout: Int64 = 10
    /// Seconds between signals to a worker asked to leave that is still there: one that got the signal just before it
    /// entered accept sleeps there until the next signal wakes it.
    let resendInterval: Int64 = 1

    /// One running worker: its slot in the status segment, when it started, which configuration it runs (`generation`),
    /// and since when it has been asked to leave after a reload.
    private struct Worker {
        let slot: Int?
        let started: Int64
        let generation: Int
        var retiringSince: Int64?
        var signalled: Int64 = 0
    }

    private var environment: [String: String]
    private var previousEnvironment: [String: String]
    private var generation = 0
    private var running = [pid_t: Worker]()
    /// Workers of an older configuration still to be replaced by the reload under way, in order.
    private var replacing = [pid_t]()
    /// The worker the reload under way started last, until it waits for requests.
    private var awaitingReady: (pid: pid_t, since: Int64)?
    private let segment: StatusSegment?
    private var freeSlots: [Int]
    private var recentCrashes = 0

    /// A supervisor whose workers start with `values` (checked settings from `settings.load()`).
    init(socket: ListeningSocket, workers: Int, maxRequests: Int, settings: WorkerSettings, values: [String: String]) {
        self.socket = socket
        self.workers = workers
        self.maxRequests = maxRequests
        self.settings = settings
        environment = values
        previousEnvironment = values
        // Room for every worker twice over: during a reload old workers finishing a request and their replacements overlap.
        let slots = 2 * workers + 1
        segment = StatusSegment.create(slots: slots)
        freeSlots = segment == nil ? [] : Array((0..<slots).reversed())
    }

    func run() -> Int32 {
        Signals.installTermination(forFastCGI: false)
        Signals.installReload()
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
        for _ in 0..<workers { spawn(listener) }

        // SIGTERM, SIGINT, SIGHUP and SIGCHLD stay blocked except inside pselect, which unblocks them atomically: a signal
        // can then never land between the check of a flag and the wait, where a blocking wait would miss it.
        var awaited = sigset_t()
        sigemptyset(&awaited)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&awaited, signal) }
        var waiting = sigset_t()
        sigprocmask(SIG_BLOCK, &awaited, &waiting)
        Signals.installChildNotification()

        while !Signals.stopRequested {
            if Signals.takeReloadRequest() { reload() }
            reapWorkers(listener)
            if Signals.stopRequested { break }
            advanceReload(listener)
            remindRetiringWorkers()
            // While a reload is under way or a worker is leaving, look again shortly; otherwise only a signal wakes us.
            let busy = awaitingReady != nil || !replacing.isEmpty || running.values.contains { $0.retiringSince != nil }
            var pause = timespec(tv_sec: 0, tv_nsec: 50_000_000)
            if busy { _ = pselect(0, nil, nil, nil, &pause, &waiting) } else { _ = pselect(0, nil, nil, nil, nil, &waiting) }
        }

        Log.info("supervisor stopping: asking \(running.count) workers to finish their requests")
        for pid in running.keys { kill(pid, SIGTERM) }
        let deadline = now() + Int64(gracePeriod)
        var lastSignal = now()
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
                // A worker that got SIGTERM just before it entered accept sleeps there: the next one wakes it.
                if now() - lastSignal >= resendInterval {
                    for pid in running.keys where !isServing(pid) { kill(pid, SIGTERM) }
                    lastSignal = now()
                }
                usleep(20_000)
            }
        }
        close(listener)
        // A supervisor started before this one stopped (a restart without downtime) has bound the path anew: leave its socket.
        socket.removeFile(boundAs: socketFile)
        Log.info("supervisor stopped")
        return 0
    }

    /// Collects every worker that has exited, and replaces it unless a reload asked it to leave.
    private func reapWorkers(_ listener: Int32) {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid < 0, errno == ECHILD, running.isEmpty {
                // Every spawn failed; try again shortly.
                sleep(1)
                for _ in 0..<workers { spawn(listener) }
                return
            }
            guard pid > 0 else { return }
            guard let worker = running.removeValue(forKey: pid) else { continue }
            if let slot = worker.slot {
                segment?.release(slot: slot)
                freeSlots.append(slot)
            }
            replacing.removeAll { $0 == pid }
            if worker.retiringSince != nil {
                Log.info("worker \(pid) left after the reload (\(Self.describe(status)))")
                continue
            }
            let clean = Self.exitedCleanly(status)
            if let awaited = awaitingReady, awaited.pid == pid {
                awaitingReady = nil
                Log.error("worker \(pid), started by the reload, exited before it was ready (\(Self.describe(status))); reload abandoned: the other workers keep the previous configuration")
                replacing.removeAll()
                // Later replacements get the previous settings again; the next reload replaces every worker, those this
                // one already replaced included.
                environment = previousEnvironment
                generation += 1
                segment?.countReloadFailure()
            }
            Log.info(clean ? "worker \(pid) recycled after its request quota" : "worker \(pid) died (\(Self.describe(status))); replacing it")
            if clean { segment?.countRecycle() } else { segment?.countRestart() }
            if Signals.stopRequested { return }
            if !clean, now() - worker.started < 2 {
                recentCrashes += 1
                if recentCrashes > 3 { sleep(1) }
            } else {
                recentCrashes = 0
            }
            spawn(listener)
        }
    }

    /// SIGHUP: reads and checks the configuration; if it is valid, the workers are replaced one at a time
    /// (`advanceReload`), and if not, nothing changes and the log says which key is wrong.
    private func reload() {
        Log.info("reload requested (SIGHUP): reading the configuration again")
        let loaded: (values: [String: String], configuration: AppConfiguration)
        do {
            loaded = try settings.load()
        } catch {
            Log.error("reload refused, the workers keep serving with the previous configuration: \(error)")
            segment?.countReloadFailure()
            return
        }
        Log.level = loaded.configuration.logLevel
        previousEnvironment = environment
        environment = loaded.values
        generation += 1
        replacing = running.filter { $0.value.generation < generation && $0.value.retiringSince == nil }
            .sorted { $0.value.started < $1.value.started }.map(\.key)
        segment?.countReload()
        Log.info("reload: configuration accepted; replacing \(replacing.count) workers one at a time")
    }

    /// One step of a reload: start a worker with the new settings, and once it waits for requests, ask one old worker to
    /// leave after the request it is serving (SIGHUP). The listening socket stays open throughout, so a connection
    /// that arrives meanwhile waits in its queue for whichever worker accepts next.
    private func advanceReload(_ listener: Int32) {
        if let awaited = awaitingReady {
            let ready = isReady(awaited.pid)
            guard ready || now() - awaited.since >= readyTimeout else { return }
            if !ready { Log.error("worker \(awaited.pid) is not waiting for requests after \(readyTimeout)s; the reload goes on") }
            awaitingReady = nil
            if !replacing.isEmpty { retire(replacing.removeFirst()) }
            if replacing.isEmpty { Log.info("reload complete: every old worker has been asked to leave after its request in flight") }
        }
        if awaitingReady == nil, !replacing.isEmpty, let pid = spawn(listener) {
            awaitingReady = (pid, now())
        }
    }

    /// Whether a worker waits for requests (or serves one): its slot says so; without a status segment, after a second.
    private func isReady(_ pid: pid_t) -> Bool {
        guard let worker = running[pid] else { return false }
        guard let segment, let slot = worker.slot else { return now() - worker.started >= 1 }
        let state = segment.state(ofSlot: slot)
        return state == .idle || state == .busy
    }

    /// Whether a worker's status slot says it is serving a request (false when it has no slot).
    private func isServing(_ pid: pid_t) -> Bool {
        guard let segment, let slot = running[pid]?.slot else { return false }
        return segment.state(ofSlot: slot) == .busy
    }

    /// Asks a worker to leave once the request it serves is answered.
    private func retire(_ pid: pid_t) {
        guard running[pid] != nil else { return }
        running[pid]?.retiringSince = now()
        running[pid]?.signalled = now()
        kill(pid, SIGHUP)
    }

    /// Signals again a worker asked to leave that is still there after `resendInterval`: it may be asleep in accept,
    /// where the first signal arrived just too early to wake it. One serving a request is left alone: it has the flag,
    /// and a signal could interrupt a blocking read of its request.
    private func remindRetiringWorkers() {
        for (pid, worker) in running where worker.retiringSince != nil && now() - worker.signalled >= resendInterval && !isServing(pid) {
            kill(pid, SIGHUP)
            running[pid]?.signalled = now()
        }
    }

    private func gracePeriodExpired(_ running: inout [pid_t: Worker]) {
        for pid in running.keys { var status: Int32 = 0; waitpid(pid, &status, 0) }
        running.removeAll()
    }

    /// Starts one worker: this binary, with the listening socket as its fd 0 and the status segment as fd 3, in the
    /// current configuration; nil when the system refused.
    @discardableResult
    private func spawn(_ listener: Int32) -> pid_t? {
        // Without a free slot (workers slow to leave after several reloads) the worker still counts requests; only its
        // busy or idle state goes unseen, and a reload then takes it as ready after a second.
        let slot = freeSlots.popLast()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, listener, 0)
        var environment = self.environment
        environment["OAUTH1_MAX_REQUESTS"] = String(maxRequests)
        if let segment {
            posix_spawn_file_actions_adddup2(&actions, segment.descriptor, Self.statusDescriptor)
            environment["OAUTH1_STATUS_FD"] = String(Self.statusDescriptor)
            if let slot {
                environment["OAUTH1_WORKER"] = String(slot)
                segment.reserve(slot: slot)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let executable = Self.executablePath()
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
            if let slot {
                segment?.release(slot: slot)
                freeSlots.append(slot)
            }
            return nil
        }
        if let slot { segment?.setPID(pid, slot: slot) }
        running[pid] = Worker(slot: slot, started: now(), generation: generation)
        Log.info("worker \(pid) started")
        return pid
    }

    /// The descriptor a worker finds the status segment on.
    static let statusDescriptor: Int32 = 3

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
