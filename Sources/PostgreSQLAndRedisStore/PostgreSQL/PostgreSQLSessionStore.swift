import ProviderCore
import ProviderStorage

/// Browser sessions in PostgreSQL, shared by every host; identifiers are stored only as SHA-256 hashes.
public struct PostgreSQLSessionStore: SessionStore {
    let database: PostgreSQLDatabase
    let clock: any EpochClock
    let generator: CredentialGenerator

    /// Creates the store over a database.
    public init(database: PostgreSQLDatabase, clock: any EpochClock = SystemEpochClock(), generator: CredentialGenerator = CredentialGenerator()) {
        self.database = database
        self.clock = clock
        self.generator = generator
    }

    public func create(userID: Int64?, lifetime: Int64) throws -> (identifier: String, record: SessionRecord) {
        let identifier = generator.string(length: 43)
        let now = clock.now()
        let record = SessionRecord(idHash: SessionRecord.hash(identifier), userID: userID, csrfToken: generator.string(length: 32),
                                   expiresAt: now + lifetime)
        try database.withConnection { connection in
            try connection.update("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                                  [record.idHash, record.userID, record.csrfToken, now, record.expiresAt])
        }
        return (identifier, record)
    }

    public func session(identifier: String) throws -> SessionRecord? {
        let row = try database.withConnection { connection in
            try connection.query("SELECT id_hash, user_id, csrf_token, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2",
                                 [SessionRecord.hash(identifier), clock.now()]).first
        }
        return row.map { SessionRecord(idHash: $0.text(0), userID: $0.optionalInteger(1), csrfToken: $0.text(2), expiresAt: $0.integer(3)) }
    }

    public func delete(identifier: String) throws {
        try database.withConnection { _ = try $0.update("DELETE FROM sessions WHERE id_hash = $1", [SessionRecord.hash(identifier)]) }
    }

    public func deleteAll(userID: Int64) throws {
        try database.withConnection { _ = try $0.update("DELETE FROM sessions WHERE user_id = $1", [userID]) }
    }
}
