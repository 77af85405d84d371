import ProviderCore

/// A browser session: who is signed in (nil before login) and the session's CSRF token.
public struct SessionRecord: Sendable, Equatable {
    /// The hash of the session identifier (the identifier itself is only in the cookie).
    public let idHash: String
    /// The signed-in user, or nil for a session that only carries a CSRF token for the login form.
    public let userID: Int64?
    /// The token every form of this session must carry.
    public let csrfToken: String
    /// When the session ends.
    public let expiresAt: Int64
}

/// Browser sessions in SQLite, shared by every worker; identifiers are stored only as SHA-256 hashes.
public struct SQLiteSessionStore: Sendable {
    let database: SQLiteDatabase
    let clock: any EpochClock
    let generator: CredentialGenerator

    /// Creates the store over an open database.
    public init(database: SQLiteDatabase, clock: any EpochClock = SystemEpochClock(), generator: CredentialGenerator = CredentialGenerator()) {
        self.database = database
        self.clock = clock
        self.generator = generator
    }

    /// The stored form of a session identifier.
    public static func hash(_ identifier: String) -> String { Digest.hex(Digest.hash(.sha256, Array(identifier.utf8))) }

    /// Starts a session and returns its new identifier (for the cookie) and record.
    public func create(userID: Int64?, lifetime: Int64) throws -> (identifier: String, record: SessionRecord) {
        let identifier = generator.string(length: 43)
        let record = SessionRecord(idHash: Self.hash(identifier), userID: userID, csrfToken: generator.string(length: 32),
                                   expiresAt: clock.now() + lifetime)
        try database.write { connection in
            try connection.update("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                                  [record.idHash, record.userID, record.csrfToken, clock.now(), record.expiresAt])
        }
        return (identifier, record)
    }

    /// The live session with this identifier, or nil when unknown or expired.
    public func session(identifier: String) throws -> SessionRecord? {
        let row = try database.read { connection in
            try connection.query("SELECT id_hash, user_id, csrf_token, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?",
                                 [Self.hash(identifier), clock.now()]).first
        }
        return row.map { SessionRecord(idHash: $0.text(0), userID: $0.optionalInteger(1), csrfToken: $0.text(2), expiresAt: $0.integer(3)) }
    }

    /// Ends one session.
    public func delete(identifier: String) throws {
        try database.write { _ = try $0.update("DELETE FROM sessions WHERE id_hash = ?", [Self.hash(identifier)]) }
    }

    /// Ends every session of a user.
    public func deleteAll(userID: Int64) throws {
        try database.write { _ = try $0.update("DELETE FROM sessions WHERE user_id = ?", [userID]) }
    }
}
