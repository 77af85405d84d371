import ProviderCore
import ProviderStorage

/// Counts failed sign-ins per subject (a username, a client address) in PostgreSQL, so the limit holds across every
/// host; a subject that fails too often within the window is locked for a while.
public struct PostgreSQLLoginThrottle: LoginThrottle {
    let database: PostgreSQLDatabase
    let clock: any EpochClock

    /// Creates the throttle over a database.
    public init(database: PostgreSQLDatabase, clock: any EpochClock = SystemEpochClock()) {
        self.database = database
        self.clock = clock
    }

    public func lockedFor(_ subjects: [String]) throws -> Int64? {
        guard !subjects.isEmpty else { return nil }
        let now = clock.now()
        // One round trip for every subject: the subjects travel as one text array parameter.
        let until = try database.withConnection { connection in
            try connection.query("SELECT max(locked_until) FROM login_failures WHERE subject = ANY($1::text[])",
                                 [Self.textArray(subjects)]).first?.optionalInteger(0)
        }
        guard let until, until > now else { return nil }
        return until - now
    }

    public func recordFailure(_ subjects: [(subject: String, policy: LoginThrottlePolicy)]) throws {
        let now = clock.now()
        try database.transaction { connection in
            for (subject, policy) in subjects {
                // Make sure the row exists, then lock it: concurrent failures for one subject count one after another.
                try connection.update("INSERT INTO login_failures (subject, failures, window_started_at, locked_until) VALUES ($1, 0, $2, 0) ON CONFLICT (subject) DO NOTHING",
                                      [subject, now])
                let row = try connection.query("SELECT failures, window_started_at FROM login_failures WHERE subject = $1 FOR UPDATE", [subject]).first
                // A row just inserted reads as (0, now), which counts exactly like no row.
                let next = policy.afterFailure(stored: row.map { (Int($0.integer(0)), $0.integer(1)) }, now: now)
                try connection.update("UPDATE login_failures SET failures = $2, window_started_at = $3, locked_until = greatest(locked_until, $4) WHERE subject = $1",
                                      [subject, next.failures, next.windowStartedAt, next.lockedUntil])
            }
        }
    }

    public func reset(_ subject: String) throws {
        try database.withConnection { _ = try $0.update("DELETE FROM login_failures WHERE subject = $1", [subject]) }
    }

    /// A PostgreSQL array literal of texts, every element quoted and escaped.
    static func textArray(_ values: [String]) -> String {
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            for character in value {
                if character == "\\" || character == "\"" { literal += "\\" }
                literal.append(character)
            }
            literal += "\""
        }
        return literal + "}"
    }
}
