import ProviderCore
import ProviderStorage

/// User accounts in PostgreSQL, with scrypt password hashes.
public struct PostgreSQLUserStore: UserAccountStore {
    let database: PostgreSQLDatabase
    let hasher: PasswordHasher
    let clock: any EpochClock
    let cache = UserRecordCache()

    /// Creates the store over a database.
    public init(database: PostgreSQLDatabase, hasher: PasswordHasher = .standard, clock: any EpochClock = SystemEpochClock()) {
        self.database = database
        self.hasher = hasher
        self.clock = clock
    }

    @discardableResult
    public func create(username: String, password: String) throws -> UserRecord {
        try UserRecord.validate(username: username)
        try UserRecord.validate(password: password)
        let hash = try hasher.hash(password)
        let now = clock.now()
        let row = try database.withConnection { connection in
            try connection.query("INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (username) DO NOTHING RETURNING id, username, created_at",
                                 [username, hash, now]).first
        }
        guard let row else { throw StoreInputError(message: "the username '\(username)' is taken") }
        return Self.record(row)
    }

    /// The user a web server authenticated (REMOTE_USER), created on first sight with no password: they can only sign in
    /// through the web server.
    public func externalUser(username: String) throws -> UserRecord {
        try UserRecord.validate(username: username)
        if let existing = try user(username: username) { return existing }
        let now = clock.now()
        return try database.withConnection { connection in
            try connection.update("INSERT INTO users (username, password_hash, created_at) VALUES ($1, 'external', $2) ON CONFLICT (username) DO NOTHING",
                                  [username, now])
            let row = try connection.query("SELECT id, username, created_at FROM users WHERE username = $1", [username]).first
            return row.map(Self.record) ?? UserRecord(id: 0, username: username, createdAt: now)
        }
    }

    public func user(id: Int64) throws -> UserRecord? {
        try database.withConnection { connection in
            try connection.query("SELECT id, username, created_at FROM users WHERE id = $1", [id]).first.map(Self.record)
        }
    }

    /// The user with this id, from a per-process cache after the first read (user records never change; see
    /// `UserRecordCache`).
    public func cachedUser(id: Int64) throws -> UserRecord? {
        try cache.user(id: id, load: user(id:))
    }

    public func user(username: String) throws -> UserRecord? {
        try database.withConnection { connection in
            try connection.query("SELECT id, username, created_at FROM users WHERE username = $1", [username]).first.map(Self.record)
        }
    }

    public func authenticate(username: String, password: String) throws -> UserRecord? {
        let row = try database.withConnection { connection in
            try connection.query("SELECT id, username, created_at, password_hash FROM users WHERE username = $1", [username]).first
        }
        let matches = hasher.verify(password, against: row?.text(3) ?? hasher.placeholderHash())
        guard let row, matches else { return nil }
        if hasher.needsRehash(row.text(3)) {
            let upgraded = try hasher.hash(password)
            try database.withConnection { try $0.update("UPDATE users SET password_hash = $1 WHERE id = $2", [upgraded, row.integer(0)]) }
        }
        return Self.record(row)
    }

    public func setPassword(userID: Int64, password: String) throws {
        try UserRecord.validate(password: password)
        let hash = try hasher.hash(password)
        try database.withConnection { try $0.update("UPDATE users SET password_hash = $1 WHERE id = $2", [hash, userID]) }
    }

    public func all() throws -> [UserRecord] {
        try database.withConnection { try $0.query("SELECT id, username, created_at FROM users ORDER BY id").map(Self.record) }
    }

    public func remove(id: Int64) throws -> Bool {
        try database.withConnection { try $0.update("DELETE FROM users WHERE id = $1", [id]) > 0 }
    }

    static func record(_ row: PostgreSQLRow) -> UserRecord {
        UserRecord(id: row.integer(0), username: row.text(1), createdAt: row.integer(2))
    }
}
