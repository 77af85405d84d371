/// A token credential (RFC 5849 section 2.3, "access token") that lets a client act for a user.
public struct TokenCredential: Sendable, Equatable {
    /// The `oauth_token` value.
    public var token: String
    /// The `oauth_token_secret` value.
    public var secret: String
    /// The identifier of the client it was issued to.
    public var clientIdentifier: String
    /// The user who granted it.
    public var userID: String
    /// The scopes the user granted.
    public var scopes: [String]
    /// When it was issued, in seconds since the Unix epoch.
    public var createdAt: Int64
    /// When it was last used to access a resource, when known.
    public var lastUsedAt: Int64?
    /// Whether it has been revoked.
    public var isRevoked: Bool
    /// When it expires; nil for the seed's default of never.
    public var expiresAt: Int64?

    /// Creates a token credential.
    public init(token: String, secret: String, clientIdentifier: String, userID: String, scopes: [String] = [],
                createdAt: Int64, lastUsedAt: Int64? = nil, isRevoked: Bool = false, expiresAt: Int64? = nil) {
        self.token = token
        self.secret = secret
        self.clientIdentifier = clientIdentifier
        self.userID = userID
        self.scopes = scopes
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.isRevoked = isRevoked
        self.expiresAt = expiresAt
    }
}
