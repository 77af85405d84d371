/// A registered client (RFC 5849 section 1.1's "client credentials"): identifier, shared secret, and what it may do.
public struct Client: Sendable {
    /// The client identifier, sent as `oauth_consumer_key`.
    public var identifier: String
    /// The shared secret for HMAC and PLAINTEXT signatures.
    public var secret: String
    /// A name to show users on the consent page.
    public var name: String
    /// The callback URIs the client registered; empty means any absolute http(s) callback (RFC 5849 section 2.1).
    public var callbackURIs: [String]
    /// The parsed RSA public key for RSA signatures, when registered.
    public var rsaPublicKey: RSAPublicKey?
    /// Whether the client may sign requests with client credentials alone (two-legged).
    public var allowsTwoLegged: Bool
    /// Whether every request with a body that is not form-encoded must carry `oauth_body_hash` (the Request Body Hash extension).
    public var requiresBodyHash: Bool
    /// Whether the client has been disabled; a disabled client's requests are refused.
    public var isDisabled: Bool
    /// The identifier of the user who registered the client, when known.
    public var ownerUserID: String?

    /// Creates a client record.
    public init(identifier: String, secret: String, name: String, callbackURIs: [String] = [],
                rsaPublicKey: RSAPublicKey? = nil, allowsTwoLegged: Bool = false, isDisabled: Bool = false,
                ownerUserID: String? = nil, requiresBodyHash: Bool = false) {
        self.identifier = identifier
        self.secret = secret
        self.name = name
        self.callbackURIs = callbackURIs
        self.rsaPublicKey = rsaPublicKey
        self.allowsTwoLegged = allowsTwoLegged
        self.requiresBodyHash = requiresBodyHash
        self.isDisabled = isDisabled
        self.ownerUserID = ownerUserID
    }
}
