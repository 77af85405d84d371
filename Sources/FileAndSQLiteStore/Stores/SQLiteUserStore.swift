import ProviderCore
import ProviderStorage

/// User accounts in SQLite, with scrypt password hashes.
public struct SQLiteUserStore: UserAccountStore {
    let database: SQLiteDatabase
    let hasher: PasswordHasher
    let clock: any EpochClock
    let cache = UserRecordCache()

    /// Creates the store over an open database.
    public init(database: SQLiteDatabase, hasher: PasswordHasher = .standard, clock: any EpochClock = SystemEpochClock()) {
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
        return try database.write { connection in
            if try !connection.query("SELECT 1 FROM users WHERE username = ?", [username]).isEmpty {
                throw StoreInputError(message: "the username '\(username)' is taken")
            }
            try connection.update("INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)", [username, hash, now])
            let id = try connection.query("SELECT id FROM users WHERE username = ?", [username]).first?.integer(0) ?? 0
            return UserRecord(id: id, username: username, createdAt: now)
        }
    }

    /// The user a web server authenticated (REMOTE_USER), created on first sight with no password: they can only sign in
    public func externalUser(username: String) throws -> UserRecord {
        try UserRecord.validate(username: username)
        if let existing = try user(username: username) { return existing }
        let now = clock.now()
        return try database.write { connection in
            try connection.update("INSERT INTO users (username, password_hash, created_at) VALUES (?, 'external', ?) ON CONFLICT (username) DO NOTHING",
                                  [username, now])
            let row = try connection.query("SELECT id, username, created_at FROM users WHERE username = ?", [username]).first
            return row.map(Self.record) ?? UserRecord(id: 0, username: username, createdAt: now)
        }
    }

    public func user(id: Int64) throws -> UserRecord? {
        try database.read { connection in
            try connection.query("SELECT id, username, created_at FROM users WHERE id = ?", [id]).first.map(Self.record)
        }
    }

    /// The user with this id, from a per-process cache after the first read (user records never change; see
    public func cachedUser(id: Int64) throws -> UserRecord? {
        try cache.user(id: id, load: user(id:))
    }

    public func user(username: String) throws -> UserRecord? {
        try database.read { connection in
            try connection.query("SELECT id, username, created_at FROM users WHERE username = ?", [username]).first.map(Self.record)
        }
    }

    public func authenticate(username: String, password: String) throws -> UserRecord? {
        let row = try database.read { connection in
            try connection.query("SELECT id, username, created_at, password_hash FROM users WHERE username = ?", [username]).first
        }
        let matches = hasher.verify(password, against: row?.text(3) ?? hasher.placeholderHash())
        guard let row, matches else { return nil }
        if hasher.needsRehash(row.text(3)) {
            let upgraded = try hasher.hash(password)
            try database.write { try $0.update("UPDATE users SET password_hash = ? WHERE id = ?", [upgraded, row.integer(0)]) }
        }
        return Self.record(row)
    }

    public func setPassword(userID: Int64, password: String) throws {
        try UserRecord.validate(password: password)
        let hash = try hasher.hash(password)
        try database.write { try $0.update("UPDATE users SET password_hash = ? WHERE id = ?", [hash, userID]) }
    }

    public func all() throws -> [UserRecord] {
        try database.read { try $0.query("SELECT id, username, created_at FROM users ORDER BY id").map(Self.record) }
    }

    public func remove(id: Int64) throws -> Bool {
        try database.write { try $0.update("DELETE FROM users WHERE id = ?", [id]) > 0 }
    }

    private static func record(_ row: SQLiteRow) -> UserRecord {
        UserRecord(id: row.integer(0), username: row.text(1), createdAt: row.integer(2))
    }
}
