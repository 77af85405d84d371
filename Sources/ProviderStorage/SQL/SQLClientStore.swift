import ProviderCore

/// Registered clients in an SQL database (`SQLiteClientStore`, `PostgreSQLClientStore`); serves ProviderCore's
/// `ClientStore` with RSA keys parsed once per process, and with clients cached per process while the database says
/// nothing changed (`SQLDatabase.cachedRead`), so a disabled client or a new secret takes effect at the next request.
public struct SQLClientStore<Database: SQLDatabase>: ClientRegistry {
    /// `client(identifier:)`'s cached read, made in the inlinable `init`, so that it is compiled specialized where a
    /// backend creates the store with its database type, though the application calls the store through an existential.
    /// Declared first, so that generic code finds it at a fixed offset.
    private let cachedLookUp: @Sendable (String) throws -> Client?
    let database: Database
    let clock: any EpochClock
    let generator: CredentialGenerator
    /// Seals secrets before they are stored and opens them when read.
    let sealer: SecretSealer

    /// Creates the store over a database, its secrets sealed by `sealer`.
    @inlinable
    public init(database: Database, sealer: SecretSealer, clock: any EpochClock = SystemEpochClock(),
                keys: RSAPublicKeyCache = RSAPublicKeyCache(), generator: CredentialGenerator = CredentialGenerator()) {
        let cache = TaggedRecordCache<Database.CacheTag, Client>()
        self.init(database: database, sealer: sealer, clock: clock, generator: generator) { identifier in
            try database.cachedRead(cache, key: identifier) { connection in
                try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients WHERE client_id = ?",
                                     parameters: [identifier]).first.map { try ClientRecord(row: $0, sealer: sealer).client(keys: keys, location: database.location) }
            }
        }
    }

    /// Creates the store from its parts; `init(database:sealer:clock:keys:generator:)` makes the look-up.
    @usableFromInline
    init(database: Database, sealer: SecretSealer, clock: any EpochClock, generator: CredentialGenerator,
         cachedLookUp: @escaping @Sendable (String) throws -> Client?) {
        self.cachedLookUp = cachedLookUp
        self.database = database
        self.sealer = sealer
        self.clock = clock
        self.generator = generator
    }

    public func client(identifier: String) throws -> Client? {
        try cachedLookUp(identifier)
    }

    public func record(identifier: String) throws -> ClientRecord? {
        try database.read { connection in
            try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients WHERE client_id = ?",
                                 parameters: [identifier]).first.map { try ClientRecord(row: $0, sealer: sealer) }
        }
    }

    public func register(name: String, description: String, ownerUserID: Int64?, callbackURIs: [String], rsaPublicKeyPEM: String?,
                         allowsTwoLegged: Bool, requiresBodyHash: Bool, identifier: String?, secret: String?) throws -> ClientRecord {
        try ClientRecord.validate(name: name, callbackURIs: callbackURIs, rsaPublicKeyPEM: rsaPublicKeyPEM)
        let record = ClientRecord(identifier: identifier ?? generator.string(length: 24), secret: secret ?? generator.string(length: 40),
                                  name: name, description: description, ownerUserID: ownerUserID, callbackURIs: callbackURIs,
                                  rsaPublicKeyPEM: rsaPublicKeyPEM, allowsTwoLegged: allowsTwoLegged, createdAt: clock.now(),
                                  requiresBodyHash: requiresBodyHash)
        let sealedSecret = try sealer.seal(record.secret, owner: .client(record.identifier))
        let inserted = try database.write { connection in
            try connection.update("INSERT INTO clients (client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING",
                                  parameters: [record.identifier, sealedSecret, record.name, record.description, record.ownerUserID,
                                               record.storedCallbackURIs, record.rsaPublicKeyPEM, record.allowsTwoLegged, record.createdAt,
                                               record.isDisabled, record.requiresBodyHash])
        }
        guard inserted == 1 else {
            throw StoreInputError(message: "a client with the identifier '\(record.identifier)' already exists")
        }
        return record
    }

    public func all(ownerUserID: Int64?) throws -> [ClientRecord] {
        try database.read { connection in
            if let ownerUserID {
                return try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients WHERE owner_user_id = ? ORDER BY created_at DESC, client_id",
                                            parameters: [ownerUserID]).map { try ClientRecord(row: $0, sealer: sealer) }
            }
            return try connection.query("SELECT client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled, require_body_hash FROM clients ORDER BY created_at DESC, client_id",
                                        parameters: []).map { try ClientRecord(row: $0, sealer: sealer) }
        }
    }

    public func rotateSecret(identifier: String) throws -> String? {
        let secret = generator.string(length: 40)
        let sealedSecret = try sealer.seal(secret, owner: .client(identifier))
        let changed = try database.write { try $0.update("UPDATE clients SET secret = ? WHERE client_id = ?", parameters: [sealedSecret, identifier]) }
        return changed > 0 ? secret : nil
    }

    public func update(_ record: ClientRecord) throws -> Bool {
        try ClientRecord.validate(name: record.name, callbackURIs: record.callbackURIs, rsaPublicKeyPEM: record.rsaPublicKeyPEM)
        return try database.write { connection in
            try connection.update("UPDATE clients SET name = ?, description = ?, callback_uris = ?, rsa_public_key = ?, two_legged = ?, disabled = ?, require_body_hash = ? WHERE client_id = ?",
                                  parameters: [record.name, record.description, record.storedCallbackURIs, record.rsaPublicKeyPEM,
                                               record.allowsTwoLegged, record.isDisabled, record.requiresBodyHash, record.identifier]) > 0
        }
    }

    public func remove(identifier: String) throws -> Bool {
        try database.write { try $0.update("DELETE FROM clients WHERE client_id = ?", parameters: [identifier]) > 0 }
    }
}
