import ProviderCore

/// User accounts in SQLite, with scrypt password hashes.
public struct SQLiteUserStore: Sendable {
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

    /// Creates a user; a taken or malformed username is refused with a sentence saying so.
    @discardableResult
    public func create(username: String, password: String) throws -> UserRecord {
        try Self.validate(username: username)
        guard password.utf8.count >= 8, password.utf8.count <= 1024 else {
            throw StoreInputError(message: "the password must be 8 to 1024 bytes long")
        }
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
    /// through the web server.
    public func externalUser(username: String) throws -> UserRecord {
        try Self.validate(username: username)
        if let existing = try user(username: username) { return existing }
        let now = clock.now()
        return try database.write { connection in
            try connection.update("INSERT INTO users (username, password_hash, created_at) VALUES (?, 'external', ?) ON CONFLICT (username) DO NOTHING",
                                  [username, now])
            let row = try connection.query("SELECT id, username, created_at FROM users WHERE username = ?", [username]).first
            return row.map(Self.record) ?? UserRecord(id: 0, username: username, createdAt: now)
        }
    }

    /// Usernames are 1 to 64 characters of letters, digits and `. _ - @ +`, so they are safe to show and to log.
    public static func validate(username: String) throws(StoreInputError) {
        let allowed = username.utf8.allSatisfy { byte in
            PercentEncoding.isUnreserved(byte) || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "+")
        }
        guard (1...64).contains(username.utf8.count), allowed else {
            throw StoreInputError(message: "a username is 1 to 64 letters, digits and . _ - ~ @ +")
        }
    }

    /// The user with this id.
    public func user(id: Int64) throws -> UserRecord? {
        try database.read { connection in
            try connection.query("SELECT id, username, created_at FROM users WHERE id = ?", [id]).first.map(Self.record)
        }
    }

    /// The user with this id, from a per-process cache after the first read (user records never change; see
    /// `UserRecordCache`).
    public func cachedUser(id: Int64) throws -> UserRecord? {
        try cache.user(id: id, load: user(id:))
    }

    /// The user with this username.
    public func user(username: String) throws -> UserRecord? {
        try database.read { connection in
            try connection.query("SELECT id, username, created_at FROM users WHERE username = ?", [username]).first.map(Self.record)
        }
    }

    /// The user if the password matches; an unknown username costs the same hash work as a known one.
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

    /// Replaces a user's password.
    public func setPassword(userID: Int64, password: String) throws {
        guard password.utf8.count >= 8, password.utf8.count <= 1024 else {
            throw StoreInputError(message: "the password must be 8 to 1024 bytes long")
        }
        let hash = try hasher.hash(password)
        try database.write { try $0.update("UPDATE users SET password_hash = ? WHERE id = ?", [hash, userID]) }
    }

    /// Every user, by id.
    public func all() throws -> [UserRecord] {
        try database.read { try $0.query("SELECT id, username, created_at FROM users ORDER BY id").map(Self.record) }
    }

    /// Removes a user and, through the schema's cascades, their credentials; false when no such user.
    public func remove(id: Int64) throws -> Bool {
        try database.write { try $0.update("DELETE FROM users WHERE id = ?", [id]) > 0 }
    }

    private static func record(_ row: SQLiteRow) -> UserRecord {
        UserRecord(id: row.integer(0), username: row.text(1), createdAt: row.integer(2))
    }
}
