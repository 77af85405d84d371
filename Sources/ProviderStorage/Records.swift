import ProviderCore

/// A user account as the database holds it (the seed's resource owner with `get_user_id`).
public struct UserRecord: Sendable, Equatable {
    /// The numeric user id, used as ProviderCore's user identifier.
    public let id: Int64
    /// The unique login name.
    public let username: String
    /// When the account was created, in seconds since the Unix epoch.
    public let createdAt: Int64

    /// Creates a record.
    public init(id: Int64, username: String, createdAt: Int64) {
        self.id = id
        self.username = username
        self.createdAt = createdAt
    }
}

/// A registered client with everything the database keeps about it.
public struct ClientRecord: Sendable, Equatable {
    /// The client identifier (`oauth_consumer_key`).
    public var identifier: String
    /// The shared secret, in clear: HMAC needs it. The database holds it sealed (`SecretSealer`).
    public var secret: String
    /// The name shown to users.
    public var name: String
    /// A description for the developer portal.
    public var description: String
    /// The user who registered it, when known.
    public var ownerUserID: Int64?
    /// The registered callback URIs.
    public var callbackURIs: [String]
    /// The RSA public key as uploaded (PEM), when any.
    public var rsaPublicKeyPEM: String?
    /// Whether two-legged requests are allowed.
    public var allowsTwoLegged: Bool
    /// Whether requests with a non-form body must carry oauth_body_hash.
    public var requiresBodyHash: Bool
    /// When it was registered.
    public var createdAt: Int64
    /// Whether it is disabled.
    public var isDisabled: Bool

    /// Creates a record.
    public init(identifier: String, secret: String, name: String, description: String = "", ownerUserID: Int64? = nil,
                callbackURIs: [String] = [], rsaPublicKeyPEM: String? = nil, allowsTwoLegged: Bool = false,
                createdAt: Int64, isDisabled: Bool = false, requiresBodyHash: Bool = false) {
        self.identifier = identifier
        self.secret = secret
        self.name = name
        self.description = description
        self.ownerUserID = ownerUserID
        self.callbackURIs = callbackURIs
        self.rsaPublicKeyPEM = rsaPublicKeyPEM
        self.allowsTwoLegged = allowsTwoLegged
        self.requiresBodyHash = requiresBodyHash
        self.createdAt = createdAt
        self.isDisabled = isDisabled
    }
}

/// A stored value that could not be read back.
public struct CorruptRecordError: Error, Sendable, CustomStringConvertible {
    /// The file holding it.
    public let path: String
    /// What is wrong.
    public let detail: String

    /// Creates the error.
    public init(path: String, detail: String) {
        self.path = path
        self.detail = detail
    }

    public var description: String { "\(path) holds a record that cannot be read (\(detail)); restore the file from a backup or remove it." }
}

/// A value a store cannot accept, such as a user id that is not a number; the message says what to change.
public struct StoreInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    /// Creates an error with its message.
    public init(message: String) { self.message = message }

    public var description: String { message }
}

extension [String] {
    /// Space-joined, as scopes are stored.
    public var spaceJoined: String { joined(separator: " ") }
}

extension String {
    /// Split on spaces, dropping empties.
    public var spaceSeparated: [String] { split(separator: " ").map(String.init) }
    /// Split on newlines, dropping empties.
    public var lineSeparated: [String] { split(whereSeparator: \.isNewline).map(String.init) }
}

/// Converts ProviderCore's string user id to the database's integer id.
public func databaseUserID(_ userID: String) throws -> Int64 {
    guard let value = Int64(userID), value > 0 else {
        throw StoreInputError(message: "user id '\(userID)' is not a positive integer; users are identified by their database id")
    }
    return value
}

/// A browser session: who is signed in (nil before login) and the session's CSRF token.
public struct SessionRecord: Sendable, Equatable {
    /// The hash of the session identifier (the identifier itself is only in the cookie).
    public let idHash: String
    /// The signed-in user, or nil for a session that only carries a CSRF token for the login form.
    public let userID: Int64?
    /// The token every form of this session must carry.
    public let csrfToken: String
    /// When the session ends.
    public let expiresAt: Int64

    /// Creates a record.
    public init(idHash: String, userID: Int64?, csrfToken: String, expiresAt: Int64) {
        self.idHash = idHash
        self.userID = userID
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
    }

    /// The stored form of a session identifier: its SHA-256, in hexadecimal.
    public static func hash(_ identifier: String) -> String { Digest.hex(Digest.hash(.sha256, Array(identifier.utf8))) }
}

extension UserRecord {
    /// Usernames are 1 to 64 characters of letters, digits and `. _ - ~ @ +`, so they are safe to show and to log.
    public static func validate(username: String) throws(StoreInputError) {
        let allowed = username.utf8.allSatisfy { byte in
            PercentEncoding.isUnreserved(byte) || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "+")
        }
        guard (1...64).contains(username.utf8.count), allowed else {
            throw StoreInputError(message: "a username is 1 to 64 letters, digits and . _ - ~ @ +")
        }
    }

    /// Passwords are 8 to 1024 bytes.
    public static func validate(password: String) throws(StoreInputError) {
        guard password.utf8.count >= 8, password.utf8.count <= 1024 else {
            throw StoreInputError(message: "the password must be 8 to 1024 bytes long")
        }
    }
}

extension ClientRecord {
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

    /// The client ProviderCore verifies requests with, its RSA key parsed once per process through `keys`; `location`
    /// names the database in the error when the stored key cannot be read.
    public func client(keys: RSAPublicKeyCache, location: String) throws -> Client {
        Client(identifier: identifier, secret: secret, name: name, callbackURIs: callbackURIs,
               rsaPublicKey: try rsaPublicKeyPEM.map { pem -> RSAPublicKey in
                   do { return try keys.key(forPEM: pem) } catch {
                       throw CorruptRecordError(path: location, detail: "client \(identifier) has an unreadable RSA key: \(error)")
                   }
               },
               allowsTwoLegged: allowsTwoLegged, isDisabled: isDisabled,
               ownerUserID: ownerUserID.map(String.init), requiresBodyHash: requiresBodyHash)
    }
}
