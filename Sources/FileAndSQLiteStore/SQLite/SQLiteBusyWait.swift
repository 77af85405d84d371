import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// What a connection does when another process holds the lock it needs: yield the CPU a few times, then sleep in short
/// steps, and give up after the timeout. SQLite's own busy timeout sleeps 1 ms, then 2, 5, 10 ms... while the other
/// worker holds the write lock for a few microseconds (one nonce insert), so every collision cost a millisecond or more.
final class SQLiteBusyWait {
    /// How long to keep trying, in nanoseconds.
    private(set) var timeoutNanoseconds: UInt64
    /// When the current wait began (SQLite counts the attempts of one wait from 0).
    private var startedAt: UInt64 = 0

    init(timeoutMilliseconds: Int32) {
        timeoutNanoseconds = UInt64(max(0, timeoutMilliseconds)) * 1_000_000
    }

    /// Runs `body` with a shorter timeout, such as a checkpoint that holds the write lock while it waits for readers and
    /// must not keep other processes' writers waiting for long.
    func limited<T>(toMilliseconds milliseconds: Int32, _ body: () throws -> T) rethrows -> T {
        let saved = timeoutNanoseconds
        timeoutNanoseconds = min(saved, UInt64(max(0, milliseconds)) * 1_000_000)
        defer { timeoutNanoseconds = saved }
        return try body()
    }

    /// Installs the handler on a connection; the connection must keep `self` alive while it is open.
    func install(on handle: OpaquePointer) {
        sqlite3_busy_handler(handle, { context, attempt in
            guard let context else { return 0 }
            return Unmanaged<SQLiteBusyWait>.fromOpaque(context).takeUnretainedValue().retry(attempt: attempt) ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Waits a little and returns true to try again, or false once the timeout has passed.
    func retry(attempt: Int32) -> Bool {
        let now = Self.monotonicNanoseconds()
        if attempt == 0 { startedAt = now }
        guard now - startedAt < timeoutNanoseconds else { return false }
        switch attempt {
        case 0..<8: sched_yield()
        case 8..<200: usleep(20)
        default: usleep(1000)
        }
        return true
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
