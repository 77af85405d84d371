import ProviderCore

/// A user account as the database holds it (the seed's resource owner with `get_user_id`).
public struct UserRecord: Sendable, Equatable {
    /// The numeric user id, used as ProviderCore's user identifier.
    public let id: Int64
    /// The unique login name.
    public let username: String
    /// When the account was created, in seconds since the Unix epoch.
    public let createdAt: Int64
}

/// A registered client with everything the database keeps about it.
public struct ClientRecord: Sendable, Equatable {
    /// The client identifier (`oauth_consumer_key`).
    public var identifier: String
    /// The shared secret, kept in clear because HMAC needs it.
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
    var spaceJoined: String { joined(separator: " ") }
}

extension String {
    /// Split on spaces, dropping empties.
    var spaceSeparated: [String] { split(separator: " ").map(String.init) }
    /// Split on newlines, dropping empties.
    var lineSeparated: [String] { split(whereSeparator: \.isNewline).map(String.init) }
}

/// Converts ProviderCore's string user id to the database's integer id.
func databaseUserID(_ userID: String) throws -> Int64 {
    guard let value = Int64(userID), value > 0 else {
        throw StoreInputError(message: "user id '\(userID)' is not a positive integer; users are identified by their database id")
    }
    return value
}
