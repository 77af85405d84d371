import ProviderCore
import ProviderStorage

/// Counts failed sign-ins per subject (a username, a client address) in the database, so the limit holds across every
/// worker process; a subject that fails too often within the window is locked for a while.
public struct SQLiteLoginThrottle: LoginThrottle {
    let database: SQLiteDatabase
    let clock: any EpochClock

    /// Creates the throttle over an open database.
    public init(database: SQLiteDatabase, clock: any EpochClock = SystemEpochClock()) {
        self.database = database
        self.clock = clock
    }

    public func lockedFor(_ subjects: [String]) throws -> Int64? {
        let now = clock.now()
        var longest: Int64?
        for subject in subjects {
            let until = try database.read { connection in
                try connection.query("SELECT locked_until FROM login_failures WHERE subject = ?", [subject]).first?.integer(0)
            }
            if let until, until > now { longest = max(longest ?? 0, until - now) }
        }
        return longest
    }

    public func recordFailure(_ subjects: [(subject: String, policy: LoginThrottlePolicy)]) throws {
        let now = clock.now()
        try database.write { connection in
            for (subject, policy) in subjects {
                let row = try connection.query("SELECT failures, window_started_at FROM login_failures WHERE subject = ?", [subject]).first
                let next = policy.afterFailure(stored: row.map { (Int($0.integer(0)), $0.integer(1)) }, now: now)
                try connection.update("INSERT INTO login_failures (subject, failures, window_started_at, locked_until) VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, window_started_at = excluded.window_started_at, locked_until = max(login_failures.locked_until, excluded.locked_until)",
                                      [subject, next.failures, next.windowStartedAt, next.lockedUntil])
            }
        }
    }

    public func reset(_ subject: String) throws {
        try database.write { _ = try $0.update("DELETE FROM login_failures WHERE subject = ?", [subject]) }
    }
}
