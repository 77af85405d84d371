import ProviderCore
import ProviderStorage

/// Registered clients in PostgreSQL; serves ProviderCore's `ClientStore` with RSA keys parsed once per process, and with
/// clients cached per process while the database's cache version is unchanged (`VersionedCache`), so a disabled client
/// or a new secret takes effect on every host at its next request.
public struct PostgreSQLClientStore: ClientRegistry {
    let database: PostgreSQLDatabase
    private let cache = VersionedCache<Client>()
    let clock: any EpochClock
    let keys: RSAPublicKeyCache
    let generator: CredentialGenerator

    static let columns = "client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash"

    /// Creates the store over a database.
    public init(database: PostgreSQLDatabase, clock: any EpochClock = SystemEpochClock(), keys: RSAPublicKeyCache = RSAPublicKeyCache(),
                generator: CredentialGenerator = CredentialGenerator()) {
        self.database = database
        self.clock = clock
        self.keys = keys
        self.generator = generator
    }

    public func client(identifier: String) throws -> Client? {
        try database.cachedRead(cache, key: identifier) { connection in
            try connection.query("SELECT \(Self.columns) FROM clients WHERE client_id = $1", [identifier])
                .first.map { try Self.record($0).client(keys: keys, location: database.location) }
        }
    }

    public func record(identifier: String) throws -> ClientRecord? {
        try database.withConnection { connection in
            try connection.query("SELECT \(Self.columns) FROM clients WHERE client_id = $1", [identifier]).first.map(Self.record)
        }
    }

    public func register(name: String, description: String, ownerUserID: Int64?, callbackURIs: [String], rsaPublicKeyPEM: String?,
                         allowsTwoLegged: Bool, requiresBodyHash: Bool, identifier: String?, secret: String?) throws -> ClientRecord {
        try ClientRecord.validate(name: name, callbackURIs: callbackURIs, rsaPublicKeyPEM: rsaPublicKeyPEM)
        let record = ClientRecord(identifier: identifier ?? generator.string(length: 24), secret: secret ?? generator.string(length: 40),
                                  name: name, description: description, ownerUserID: ownerUserID, callbackURIs: callbackURIs,
                                  rsaPublicKeyPEM: rsaPublicKeyPEM, allowsTwoLegged: allowsTwoLegged, createdAt: clock.now(),
                                  requiresBodyHash: requiresBodyHash)
        let inserted = try database.withConnection { connection in
            try connection.update("INSERT INTO clients (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, $10) ON CONFLICT (client_id) DO NOTHING",
                                  [record.identifier, record.secret, record.name, record.description, record.ownerUserID,
                                   record.callbackURIs.joined(separator: "\n"), record.rsaPublicKeyPEM, record.allowsTwoLegged,
                                   record.createdAt, record.requiresBodyHash])
        }
        guard inserted == 1 else {
            throw StoreInputError(message: "a client with the identifier '\(record.identifier)' already exists")
        }
        return record
    }

    public func all(ownerUserID: Int64?) throws -> [ClientRecord] {
        try database.withConnection { connection in
            if let ownerUserID {
                return try connection.query("SELECT \(Self.columns) FROM clients WHERE owner_user_id = $1 ORDER BY created_at DESC, client_id",
                                            [ownerUserID]).map(Self.record)
            }
            return try connection.query("SELECT \(Self.columns) FROM clients ORDER BY created_at DESC, client_id").map(Self.record)
        }
    }

    public func rotateSecret(identifier: String) throws -> String? {
        let secret = generator.string(length: 40)
        let changed = try database.withConnection { try $0.update("UPDATE clients SET secret = $1 WHERE client_id = $2", [secret, identifier]) }
        return changed > 0 ? secret : nil
    }

    public func update(_ record: ClientRecord) throws -> Bool {
        try ClientRecord.validate(name: record.name, callbackURIs: record.callbackURIs, rsaPublicKeyPEM: record.rsaPublicKeyPEM)
        return try database.withConnection { connection in
            try connection.update("UPDATE clients SET name = $1, description = $2, callback_uris = $3, rsa_public_key = $4, two_legged = $5, disabled = $6, require_body_hash = $7 WHERE client_id = $8",
                                  [record.name, record.description, record.callbackURIs.joined(separator: "\n"), record.rsaPublicKeyPEM,
                                   record.allowsTwoLegged, record.isDisabled, record.requiresBodyHash, record.identifier]) > 0
        }
    }

    public func remove(identifier: String) throws -> Bool {
        try database.withConnection { try $0.update("DELETE FROM clients WHERE client_id = $1", [identifier]) > 0 }
    }

    static func record(_ row: PostgreSQLRow) -> ClientRecord {
        ClientRecord(identifier: row.text(0), secret: row.text(1), name: row.text(2), description: row.text(3),
                     ownerUserID: row.optionalInteger(4), callbackURIs: row.text(5).lineSeparated, rsaPublicKeyPEM: row.optionalText(6),
                     allowsTwoLegged: row.boolean(7), createdAt: row.integer(8), isDisabled: row.boolean(9),
                     requiresBodyHash: row.boolean(10))
    }
}
