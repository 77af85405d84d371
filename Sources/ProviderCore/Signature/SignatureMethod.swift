/// A named way of checking `oauth_signature`: the built-in methods of RFC 5849 section 3.4, or one an application registers.
public struct SignatureMethod: Sendable {
    /// The `oauth_signature_method` value, such as `HMAC-SHA1`.
    public let name: String
    /// Whether the method checks against the client's RSA public key rather than shared secrets.
    public let usesRSAPublicKey: Bool
    /// Whether requests may omit `oauth_timestamp` and `oauth_nonce` (RFC 5849 section 3.1 allows it for PLAINTEXT only).
    public let allowsMissingTimestampAndNonce: Bool
    /// Returns whether the signature is valid; it must compare secrets in constant time.
    public let verify: @Sendable (SignatureInput) -> Bool

    /// Creates a signature method from its name and verify function.
    public init(name: String, usesRSAPublicKey: Bool = false, allowsMissingTimestampAndNonce: Bool = false,
                verify: @escaping @Sendable (SignatureInput) -> Bool) {
        self.name = name
        self.usesRSAPublicKey = usesRSAPublicKey
        self.allowsMissingTimestampAndNonce = allowsMissingTimestampAndNonce
        self.verify = verify
    }
}
