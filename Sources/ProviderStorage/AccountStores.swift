import ProviderCore

/// User accounts with their password hashes; every backend keeps them where all hosts see them.
public protocol UserAccountStore: Sendable {
    /// Creates a user; a taken or malformed username is refused with a sentence saying so.
    func create(username: String, password: String) throws -> UserRecord
    /// The user a web server authenticated (REMOTE_USER), created on first sight with no password.
    func externalUser(username: String) throws -> UserRecord
    /// The user with this id.
    func user(id: Int64) throws -> UserRecord?
    /// The user with this id, from a per-process cache after the first read (`UserRecordCache`).
    func cachedUser(id: Int64) throws -> UserRecord?
    /// The user with this username.
    func user(username: String) throws -> UserRecord?
    /// The user if the password matches; an unknown username costs the same hash work as a known one.
    func authenticate(username: String, password: String) throws -> UserRecord?
    /// Replaces a user's password.
    func setPassword(userID: Int64, password: String) throws
    /// Every user, by id.
    func all() throws -> [UserRecord]
    /// Removes a user with their credentials and sessions; false when no such user.
    func remove(id: Int64) throws -> Bool
}

/// Registered clients: ProviderCore's look-up (RFC 5849 section 3.4's client credentials) plus what the developer pages
/// and the admin CLI change.
public protocol ClientRegistry: ClientStore {
    /// The full record of a client.
    func record(identifier: String) throws -> ClientRecord?
    /// Registers a client with a new identifier and secret (or the given ones), after checking its callbacks and RSA key.
    func register(name: String, description: String, ownerUserID: Int64?, callbackURIs: [String], rsaPublicKeyPEM: String?,
                  allowsTwoLegged: Bool, requiresBodyHash: Bool, identifier: String?, secret: String?) throws -> ClientRecord
    /// Every client, or those one user registered, newest first.
    func all(ownerUserID: Int64?) throws -> [ClientRecord]
    /// Replaces the secret with a new one and returns it; nil when no such client.
    func rotateSecret(identifier: String) throws -> String?
    /// Updates the editable fields; false when no such client.
    func update(_ record: ClientRecord) throws -> Bool
    /// Removes a client; its temporary and token credentials go with it. False when no such client.
    func remove(identifier: String) throws -> Bool
}

extension ClientRegistry {
    /// Registers a client, with defaults for what is not given.
    @discardableResult
    public func register(name: String, description: String = "", ownerUserID: Int64? = nil, callbackURIs: [String] = [],
                         rsaPublicKeyPEM: String? = nil, allowsTwoLegged: Bool = false, requiresBodyHash: Bool = false,
                         identifier: String? = nil, secret: String? = nil) throws -> ClientRecord {
        try register(name: name, description: description, ownerUserID: ownerUserID, callbackURIs: callbackURIs,
                     rsaPublicKeyPEM: rsaPublicKeyPEM, allowsTwoLegged: allowsTwoLegged, requiresBodyHash: requiresBodyHash,
                     identifier: identifier, secret: secret)
    }

    /// Every client, newest first.
    public func all() throws -> [ClientRecord] { try all(ownerUserID: nil) }
}

/// Token credentials: ProviderCore's store plus the listings and bulk revocation of the account pages and the CLI.
public protocol TokenCredentialRegistry: TokenCredentialStore {
    /// The token credentials held for a user, or for everyone, newest first.
    func all(userID: Int64?) throws -> [TokenCredential]
    /// Revokes every live token a client holds; returns how many.
    func revokeAll(clientIdentifier: String) throws -> Int
}

extension TokenCredentialRegistry {
    /// Every token credential, newest first.
    public func all() throws -> [TokenCredential] { try all(userID: nil) }
}

/// Browser sessions shared by every worker and host; identifiers are stored only as SHA-256 hashes.
public protocol SessionStore: Sendable {
    /// Starts a session and returns its new identifier (for the cookie) and record.
    func create(userID: Int64?, lifetime: Int64) throws -> (identifier: String, record: SessionRecord)
    /// The live session with this identifier, or nil when unknown or expired.
    func session(identifier: String) throws -> SessionRecord?
    /// Ends one session.
    func delete(identifier: String) throws
    /// Ends every session of a user.
    func deleteAll(userID: Int64) throws
}

/// Failed sign-ins per subject (a username, a client address), counted where every worker and host sees them.
public protocol LoginThrottle: Sendable {
    /// Seconds until the first of these subjects may try again, or nil when none is locked.
    func lockedFor(_ subjects: [String]) throws -> Int64?
    /// Records one failure for each subject under its policy, in one transaction.
    func recordFailure(_ subjects: [(subject: String, policy: LoginThrottlePolicy)]) throws
    /// Forgets the failures of a subject after a successful sign-in.
    func reset(_ subject: String) throws
}

/// How many failures within `window` seconds lock a subject, and for how long.
public struct LoginThrottlePolicy: Sendable, Equatable {
    public var maximumFailures: Int
    public var window: Int64
    public var lockout: Int64

    /// Creates a policy.
    public init(maximumFailures: Int, window: Int64, lockout: Int64) {
        self.maximumFailures = maximumFailures
        self.window = window
        self.lockout = lockout
    }

    /// The counter after one more failure at `now`, given the stored one (nil when none): the failures within the
    /// window, when it started, and until when the subject is locked (0 when it is not).
    public func afterFailure(stored: (failures: Int, windowStartedAt: Int64)?, now: Int64)
        -> (failures: Int, windowStartedAt: Int64, lockedUntil: Int64) {
        var failures = stored?.failures ?? 0
        var started = stored?.windowStartedAt ?? now
        if now - started >= window {
            failures = 0
            started = now
        }
        failures += 1
        guard failures >= maximumFailures else { return (failures, started, 0) }
        return (0, now, now + lockout)
    }
}
