import ProviderCore

/// Everything a running site needs, as `oauth1-fcgi copy` moves it from one backend to another: users with their
/// password hashes, clients with their secrets and keys, live token credentials with their scopes and expiry, and the
/// session signing key. Temporary credentials, nonces, sessions and sign-in counters are short-lived and stay behind.
public struct SiteExport: Sendable, Equatable {
    /// A user with the stored password hash (scrypt, or `external` for REMOTE_USER accounts).
    public struct User: Sendable, Equatable {
        public var record: UserRecord
        public var passwordHash: String

        /// Creates an entry.
        public init(record: UserRecord, passwordHash: String) {
            self.record = record
            self.passwordHash = passwordHash
        }
    }

    /// Users, by id.
    public var users: [User]
    /// Clients.
    public var clients: [ClientRecord]
    /// Token credentials that are neither revoked nor expired.
    public var tokenCredentials: [TokenCredential]
    /// The key that signs session cookies.
    public var sessionSigningKey: [UInt8]

    /// Creates an export.
    public init(users: [User], clients: [ClientRecord], tokenCredentials: [TokenCredential], sessionSigningKey: [UInt8]) {
        self.users = users
        self.clients = clients
        self.tokenCredentials = tokenCredentials
        self.sessionSigningKey = sessionSigningKey
    }
}

/// A backend that can hand over its site (`oauth1-fcgi copy`).
public protocol SiteExporting: Sendable {
    /// Everything a running site needs, read in one transaction; `now` decides which token credentials are live.
    func exportSite(now: Int64) throws -> SiteExport
}

/// A backend that can take over a site (`oauth1-fcgi copy --to`).
public protocol SiteImporting: Sendable {
    /// Whether the database holds no users, clients or token credentials yet.
    func isEmpty() throws -> Bool
    /// Writes the site in one transaction, keeping every id, hash and secret; refuses a database that is not empty.
    func importSite(_ site: SiteExport) throws
}
