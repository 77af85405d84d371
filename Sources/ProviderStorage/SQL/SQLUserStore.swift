import ProviderCore

/// User accounts in an SQL database (`SQLiteUserStore`, `PostgreSQLUserStore`), with scrypt password hashes.
public struct SQLUserStore<Database: SQLDatabase>: UserAccountStore {
    /// `cachedUser(id:)` runs on every request to the protected resource: its cache and its read are declared first, so
    /// that the generic code finds them at fixed offsets, and the read is a closure, so that no partial application of
    /// this generic type has to be made for it.
    let cache = UserRecordCache()
    private let readUser: @Sendable (Int64) throws -> UserRecord?
    let database: Database
    let hasher: PasswordHasher
    let clock: any EpochClock

    /// Creates the store over a database.
    public init(database: Database, hasher: PasswordHasher = .standard, clock: any EpochClock = SystemEpochClock()) {
        readUser = { id in
            try database.read { connection in
                try connection.query("SELECT id, username, created_at FROM users WHERE id = ?", parameters: [id]).first.map(UserRecord.init(row:))
            }
        }
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
        let created = try database.write { connection in
            try connection.query("INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (username) DO NOTHING RETURNING id, username, created_at",
                                 parameters: [username, hash, now]).first.map(UserRecord.init(row:))
        }
        guard let created else { throw StoreInputError(message: "the username '\(username)' is taken") }
        return created
    }

    /// The user a web server authenticated (REMOTE_USER), created on first sight with no password: they can only sign in
    /// through the web server.
    public func externalUser(username: String) throws -> UserRecord {
        try UserRecord.validate(username: username)
        if let existing = try user(username: username) { return existing }
        let now = clock.now()
        return try database.write { connection in
            try connection.update("INSERT INTO users (username, password_hash, created_at) VALUES (?, 'external', ?) ON CONFLICT (username) DO NOTHING",
                                  parameters: [username, now])
            let row = try connection.query("SELECT id, username, created_at FROM users WHERE username = ?", parameters: [username]).first
            return row.map(UserRecord.init(row:)) ?? UserRecord(id: 0, username: username, createdAt: now)
        }
    }

    public func user(id: Int64) throws -> UserRecord? {
        try readUser(id)
    }

    /// The user with this id, from a per-process cache after the first read (user records never change; see
    /// `UserRecordCache`).
    public func cachedUser(id: Int64) throws -> UserRecord? {
        try cache.user(id: id, load: readUser)
    }

    public func user(username: String) throws -> UserRecord? {
        try database.read { connection in
            try connection.query("SELECT id, username, created_at FROM users WHERE username = ?", parameters: [username])
                .first.map(UserRecord.init(row:))
        }
    }

    public func authenticate(username: String, password: String) throws -> UserRecord? {
        let found = try database.read { connection in
            try connection.query("SELECT id, username, created_at, password_hash FROM users WHERE username = ?", parameters: [username])
                .first.map { (record: UserRecord(row: $0), passwordHash: $0.text(3)) }
        }
        let matches = hasher.verify(password, against: found?.passwordHash ?? hasher.placeholderHash())
        guard let found, matches else { return nil }
        if hasher.needsRehash(found.passwordHash) {
            let upgraded = try hasher.hash(password)
            try database.write { try $0.update("UPDATE users SET password_hash = ? WHERE id = ?", parameters: [upgraded, found.record.id]) }
        }
        return found.record
    }

    public func setPassword(userID: Int64, password: String) throws {
        try UserRecord.validate(password: password)
        let hash = try hasher.hash(password)
        try database.write { try $0.update("UPDATE users SET password_hash = ? WHERE id = ?", parameters: [hash, userID]) }
    }

    public func all() throws -> [UserRecord] {
        try database.read { try $0.query("SELECT id, username, created_at FROM users ORDER BY id", parameters: []).map(UserRecord.init(row:)) }
    }

    public func remove(id: Int64) throws -> Bool {
        try database.write { try $0.update("DELETE FROM users WHERE id = ?", parameters: [id]) > 0 }
    }
}
