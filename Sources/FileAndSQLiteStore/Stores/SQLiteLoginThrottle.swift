import ProviderCore

/// Counts failed sign-ins per subject (a username, a client address) in the database, so the limit holds across every
/// worker process; a subject that fails too often within the window is locked for a while.
public struct SQLiteLoginThrottle: Sendable {
    /// How many failures within `window` seconds lock a subject, and for how long.
    public struct Policy: Sendable, Equatable {
        public var maximumFailures: Int
        public var window: Int64
        public var lockout: Int64

        /// Creates a policy.
        public init(maximumFailures: Int, window: Int64, lockout: Int64) {
            self.maximumFailures = maximumFailures
            self.window = window
            self.lockout = lockout
        }
    }

    let database: SQLiteDatabase
    let clock: any EpochClock

    /// Creates the throttle over an open database.
    public init(database: SQLiteDatabase, clock: any EpochClock = SystemEpochClock()) {
        self.database = database
        self.clock = clock
    }

    /// Seconds until the first of these subjects may try again, or nil when none is locked.
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

    /// Records one failure for each subject under its policy, in one transaction.
    public func recordFailure(_ subjects: [(subject: String, policy: Policy)]) throws {
        let now = clock.now()
        try database.write { connection in
            for (subject, policy) in subjects {
                let row = try connection.query("SELECT failures, window_started_at FROM login_failures WHERE subject = ?", [subject]).first
                var failures = Int(row?.integer(0) ?? 0)
                var started = row?.integer(1) ?? now
                if now - started >= policy.window {
                    failures = 0
                    started = now
                }
                failures += 1
                let lockedUntil = failures >= policy.maximumFailures ? now + policy.lockout : 0
                if failures >= policy.maximumFailures {
                    failures = 0
                    started = now
                }
                try connection.update("INSERT INTO login_failures (subject, failures, window_started_at, locked_until) VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, window_started_at = excluded.window_started_at, locked_until = max(login_failures.locked_until, excluded.locked_until)",
                                      [subject, failures, started, lockedUntil])
            }
        }
    }

    /// Forgets the failures of a subject after a successful sign-in.
    public func reset(_ subject: String) throws {
        try database.write { _ = try $0.update("DELETE FROM login_failures WHERE subject = ?", [subject]) }
    }
}
