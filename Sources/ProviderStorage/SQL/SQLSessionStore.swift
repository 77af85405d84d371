import ProviderCore

/// Browser sessions in an SQL database (`SQLiteSessionStore`, `PostgreSQLSessionStore`), shared by every worker and
/// host; identifiers are stored only as SHA-256 hashes.
public struct SQLSessionStore<Database: SQLDatabase>: SessionStore {
    let database: Database
    let clock: any EpochClock
    let generator: CredentialGenerator

    /// Creates the store over a database.
    public init(database: Database, clock: any EpochClock = SystemEpochClock(), generator: CredentialGenerator = CredentialGenerator()) {
        self.database = database
        self.clock = clock
        self.generator = generator
    }

    public func create(userID: Int64?, lifetime: Int64) throws -> (identifier: String, record: SessionRecord) {
        let identifier = generator.string(length: 43)
        let now = clock.now()
        let record = SessionRecord(idHash: SessionRecord.hash(identifier), userID: userID, csrfToken: generator.string(length: 32),
                                   expiresAt: now + lifetime)
        try database.write { connection in
            try connection.update("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                                  parameters: [record.idHash, record.userID, record.csrfToken, now, record.expiresAt])
        }
        return (identifier, record)
    }

    public func session(identifier: String) throws -> SessionRecord? {
        try database.read { connection in
            try connection.query("SELECT id_hash, user_id, csrf_token, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?",
                                 parameters: [SessionRecord.hash(identifier), clock.now()]).first.map(SessionRecord.init(row:))
        }
    }

    public func delete(identifier: String) throws {
        try database.write { _ = try $0.update("DELETE FROM sessions WHERE id_hash = ?", parameters: [SessionRecord.hash(identifier)]) }
    }

    public func deleteAll(userID: Int64) throws {
        try database.write { _ = try $0.update("DELETE FROM sessions WHERE user_id = ?", parameters: [userID]) }
    }
}
