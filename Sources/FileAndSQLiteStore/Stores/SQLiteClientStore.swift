import ProviderCore
import ProviderStorage

/// Registered clients in SQLite; serves ProviderCore's `ClientStore` with RSA keys parsed once per process, and with
/// clients cached per process until any process commits to the database (`SnapshotCache`).
public struct SQLiteClientStore: ClientRegistry {
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
                                 [identifier]).first.map { try Self.record($0).client(keys: keys, location: database.path) }
        }
    }

    public func record(identifier: String) throws -> ClientRecord? {
        try database.read { connection in
            try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients WHERE client_id = ?",
                                 [identifier]).first.map(Self.record)
        }
    }

    public func register(name: String, description: String, ownerUserID: Int64?, callbackURIs: [String], rsaPublicKeyPEM: String?,
                         allowsTwoLegged: Bool, requiresBodyHash: Bool, identifier: String?, secret: String?) throws -> ClientRecord {
        try ClientRecord.validate(name: name, callbackURIs: callbackURIs, rsaPublicKeyPEM: rsaPublicKeyPEM)
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

    public func all(ownerUserID: Int64?) throws -> [ClientRecord] {
        try database.read { connection in
            if let ownerUserID {
                return try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients WHERE owner_user_id = ? ORDER BY created_at DESC, client_id",
                                            [ownerUserID]).map(Self.record)
            }
            return try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients ORDER BY created_at DESC, client_id").map(Self.record)
        }
    }

    public func rotateSecret(identifier: String) throws -> String? {
        let secret = generator.string(length: 40)
        let changed = try database.write { try $0.update("UPDATE clients SET secret = ? WHERE client_id = ?", [secret, identifier]) }
        return changed > 0 ? secret : nil
    }

    public func update(_ record: ClientRecord) throws -> Bool {
        try ClientRecord.validate(name: record.name, callbackURIs: record.callbackURIs, rsaPublicKeyPEM: record.rsaPublicKeyPEM)
        return try database.write { connection in
            try connection.update("UPDATE clients SET name = ?, description = ?, callback_uris = ?, rsa_public_key = ?, two_legged = ?, disabled = ?, require_body_hash = ? WHERE client_id = ?",
                                  [record.name, record.description, record.callbackURIs.joined(separator: "\n"), record.rsaPublicKeyPEM,
                                   record.allowsTwoLegged, record.isDisabled, record.requiresBodyHash, record.identifier]) > 0
        }
    }

    public func remove(identifier: String) throws -> Bool {
        try database.write { try $0.update("DELETE FROM clients WHERE client_id = ?", [identifier]) > 0 }
    }

    static func record(_ row: SQLiteRow) -> ClientRecord {
        ClientRecord(identifier: row.text(0), secret: row.text(1), name: row.text(2), description: row.text(3),
                     ownerUserID: row.optionalInteger(4), callbackURIs: row.text(5).lineSeparated, rsaPublicKeyPEM: row.optionalText(6),
                     allowsTwoLegged: row.integer(7) != 0, createdAt: row.integer(8), isDisabled: row.integer(9) != 0,
                     requiresBodyHash: row.integer(10) != 0)
    }
}
