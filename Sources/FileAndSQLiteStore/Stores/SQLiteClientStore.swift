import ProviderCore

/// Registered clients in SQLite; serves ProviderCore's `ClientStore` with RSA keys parsed once per process, and with
/// clients cached per process until any process commits to the database (`SnapshotCache`).
public struct SQLiteClientStore: ClientStore {
    let database: SQLiteDatabase
    private let cache = SnapshotCache<Client>()
    let clock: any EpochClock
    let keys: RSAPublicKeyCache
    let generator: CredentialGenerator

    /// Creates the store over an open database.
    public init(database: SQLiteDatabase, clock: any EpochClock = SystemEpochClock(), keys: RSAPublicKeyCache = RSAPublicKeyCache(),
                generator: CredentialGenerator = CredentialGenerator()) {
        self.database = database
        self.clock = clock
        self.keys = keys
        self.generator = generator
    }


    public func client(identifier: String) throws -> Client? {
        try database.cachedRead(cache, key: identifier) { connection in
            try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients WHERE client_id = ?",
                                 [identifier]).first.map { try client(Self.record($0)) }
        }
    }

    private func client(_ record: ClientRecord) throws -> Client {
        Client(identifier: record.identifier, secret: record.secret, name: record.name, callbackURIs: record.callbackURIs,
               rsaPublicKey: try record.rsaPublicKeyPEM.map { pem -> RSAPublicKey in
                   do { return try keys.key(forPEM: pem) } catch {
                       throw CorruptRecordError(path: database.path, detail: "client \(record.identifier) has an unreadable RSA key: \(error)")
                   }
               },
               allowsTwoLegged: record.allowsTwoLegged, isDisabled: record.isDisabled,
               ownerUserID: record.ownerUserID.map(String.init), requiresBodyHash: record.requiresBodyHash)
    }

    /// The full record of a client.
    public func record(identifier: String) throws -> ClientRecord? {
        try database.read { connection in
            try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients WHERE client_id = ?",
                                 [identifier]).first.map(Self.record)
        }
    }

    /// Registers a client with a new identifier and secret (or the given ones), after checking its callbacks and RSA key.
    @discardableResult
    public func register(name: String, description: String = "", ownerUserID: Int64? = nil, callbackURIs: [String] = [],
                         rsaPublicKeyPEM: String? = nil, allowsTwoLegged: Bool = false, requiresBodyHash: Bool = false,
                         identifier: String? = nil, secret: String? = nil) throws -> ClientRecord {
        try Self.validate(name: name, callbackURIs: callbackURIs, rsaPublicKeyPEM: rsaPublicKeyPEM)
        let record = ClientRecord(identifier: identifier ?? generator.string(length: 24), secret: secret ?? generator.string(length: 40),
                                  name: name, description: description, ownerUserID: ownerUserID, callbackURIs: callbackURIs,
                                  rsaPublicKeyPEM: rsaPublicKeyPEM, allowsTwoLegged: allowsTwoLegged, createdAt: clock.now(),
                                  requiresBodyHash: requiresBodyHash)
        try database.write { connection in
            if try !connection.query("SELECT 1 FROM clients WHERE client_id = ?", [record.identifier]).isEmpty {
                throw StoreInputError(message: "a client with the identifier '\(record.identifier)' already exists")
            }
            try connection.update("INSERT INTO clients (client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                                  [record.identifier, record.secret, record.name, record.description, record.ownerUserID,
                                   record.callbackURIs.joined(separator: "\n"), record.rsaPublicKeyPEM, record.allowsTwoLegged, record.createdAt,
                                   record.requiresBodyHash])
        }
        return record
    }

    /// Checks what a developer submits: a name, absolute callbacks (or `oob`), and a parseable RSA key.
    public static func validate(name: String, callbackURIs: [String], rsaPublicKeyPEM: String?) throws {
        guard !name.isEmpty, name.count <= 100 else {
            throw StoreInputError(message: "a client name is 1 to 100 characters")
        }
        guard callbackURIs.count <= 20 else { throw StoreInputError(message: "a client may register at most 20 callback URIs") }
        for callback in callbackURIs {
            do {
                try Callback.validate(callback)
            } catch {
                throw StoreInputError(message: "the callback '\(callback)' is not acceptable: \(error.message)")
            }
        }
        if let pem = rsaPublicKeyPEM {
            do { _ = try RSAPublicKey(pem: pem) } catch { throw StoreInputError(message: error.description) }
        }
    }

    /// Every client, or those one user registered, newest first.
    public func all(ownerUserID: Int64? = nil) throws -> [ClientRecord] {
        try database.read { connection in
            if let ownerUserID {
                return try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients WHERE owner_user_id = ? ORDER BY created_at DESC, client_id",
                                            [ownerUserID]).map(Self.record)
            }
            return try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients ORDER BY created_at DESC, client_id").map(Self.record)
        }
    }

    /// Replaces the secret with a new one and returns it; nil when no such client.
    public func rotateSecret(identifier: String) throws -> String? {
        let secret = generator.string(length: 40)
        let changed = try database.write { try $0.update("UPDATE clients SET secret = ? WHERE client_id = ?", [secret, identifier]) }
        return changed > 0 ? secret : nil
    }

    /// Updates the editable fields; false when no such client.
    public func update(_ record: ClientRecord) throws -> Bool {
        try Self.validate(name: record.name, callbackURIs: record.callbackURIs, rsaPublicKeyPEM: record.rsaPublicKeyPEM)
        return try database.write { connection in
            try connection.update("UPDATE clients SET name = ?, description = ?, callback_uris = ?, rsa_public_key = ?, two_legged = ?, disabled = ?, require_body_hash = ? WHERE client_id = ?",
                                  [record.name, record.description, record.callbackURIs.joined(separator: "\n"), record.rsaPublicKeyPEM,
                                   record.allowsTwoLegged, record.isDisabled, record.requiresBodyHash, record.identifier]) > 0
        }
    }

    /// Removes a client; its temporary and token credentials go with it. False when no such client.
    public func remove(identifier: String) throws -> Bool {
        try database.write { try $0.update("DELETE FROM clients WHERE client_id = ?", [identifier]) > 0 }
    }

    private static func record(_ row: SQLiteRow) -> ClientRecord {
        ClientRecord(identifier: row.text(0), secret: row.text(1), name: row.text(2), description: row.text(3),
                     ownerUserID: row.optionalInteger(4), callbackURIs: row.text(5).lineSeparated, rsaPublicKeyPEM: row.optionalText(6),
                     allowsTwoLegged: row.integer(7) != 0, createdAt: row.integer(8), isDisabled: row.integer(9) != 0,
                     requiresBodyHash: row.integer(10) != 0)
    }
}
