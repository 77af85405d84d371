/// One use of a nonce: unique for the same client, token, timestamp and nonce (RFC 5849 section 3.3).
public struct TimestampNonce: Sendable, Hashable {
    /// The `oauth_consumer_key`.
    public var clientIdentifier: String
    /// The `oauth_token`, or empty when the request carried none.
    public var token: String
    /// The `oauth_timestamp`.
    public var timestamp: Int64
    /// The `oauth_nonce`.
    public var nonce: String

    /// Creates a nonce record.
    public init(clientIdentifier: String, token: String, timestamp: Int64, nonce: String) {
        self.clientIdentifier = clientIdentifier
        self.token = token
        self.timestamp = timestamp
        self.nonce = nonce
    }
}
