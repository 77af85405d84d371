/// What a signature method needs to check one request's `oauth_signature` (RFC 5849 section 3.4).
public struct SignatureInput: Sendable {
    /// The signature base string of RFC 5849 section 3.4.1.
    public let baseString: String
    /// The `oauth_signature` value, percent-decoded.
    public let signature: String
    /// The client's shared secret.
    public let clientSecret: String
    /// The token's shared secret, empty when the request carries no token.
    public let tokenSecret: String
    /// The client's registered RSA public key, when it has one.
    public let rsaPublicKey: RSAPublicKey?

    /// Creates the input for one verification.
    public init(baseString: String, signature: String, clientSecret: String, tokenSecret: String, rsaPublicKey: RSAPublicKey?) {
        self.baseString = baseString
        self.signature = signature
        self.clientSecret = clientSecret
        self.tokenSecret = tokenSecret
        self.rsaPublicKey = rsaPublicKey
    }

    /// The HMAC key and PLAINTEXT signature: encoded client secret, `&`, encoded token secret (RFC 5849 sections 3.4.2 and 3.4.4).
    public var signingKey: String {
        PercentEncoding.encode(clientSecret) + "&" + PercentEncoding.encode(tokenSecret)
    }
}
