/// A temporary credential (RFC 5849 section 2.1, "request token") on its way through authorization to a token credential.
public struct TemporaryCredential: Sendable, Equatable {
    /// The `oauth_token` value.
    public var token: String
    /// The `oauth_token_secret` value.
    public var secret: String
    /// The identifier of the client it was issued to.
    public var clientIdentifier: String
    /// The `oauth_callback` value: an absolute URI or `oob`.
    public var callback: String
    /// The scopes the client asked for with `scope`.
    public var requestedScopes: [String]
    /// The scopes the user granted; set on authorization.
    public var grantedScopes: [String]
    /// How long the token credential will live, in seconds, when the client asked for a limit; nil for never.
    public var tokenLifetime: Int64?
    /// The user who approved it; nil until authorized.
    public var userID: String?
    /// The `oauth_verifier` issued on approval; nil until authorized.
    public var verifier: String?
    /// When it stops being usable, in seconds since the Unix epoch.
    public var expiresAt: Int64

    /// Creates a temporary credential.
    public init(token: String, secret: String, clientIdentifier: String, callback: String,
                requestedScopes: [String] = [], grantedScopes: [String] = [], tokenLifetime: Int64? = nil, userID: String? = nil,
                verifier: String? = nil, expiresAt: Int64) {
        self.token = token
        self.secret = secret
        self.clientIdentifier = clientIdentifier
        self.callback = callback
        self.requestedScopes = requestedScopes
        self.grantedScopes = grantedScopes
        self.tokenLifetime = tokenLifetime
        self.userID = userID
        self.verifier = verifier
        self.expiresAt = expiresAt
    }

    /// Whether a user has approved it.
    public var isAuthorized: Bool { userID != nil && verifier != nil }

    /// Whether its callback is out-of-band (RFC 5849 section 2.1: `oob`).
    public var isOutOfBand: Bool { callback == "oob" }
}
