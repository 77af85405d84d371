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

    /// Hands `body` the signing key's UTF-8 bytes (the secrets encoded, joined by `&`), built in temporary storage.
    static func withSigningKey<R>(clientSecret: String, tokenSecret: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var clientSecret = clientSecret
        var tokenSecret = tokenSecret
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: (clientSecret.utf8.count + tokenSecret.utf8.count) * 3 + 1) { buffer in
            var key = PercentEncodingWriter(buffer)
            clientSecret.withUTF8 { key.writeEncoded($0) }
            key.write(UInt8(ascii: "&"))
            tokenSecret.withUTF8 { key.writeEncoded($0) }
            return body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[..<key.count]))
        }
    }
}

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

extension SignatureMethod {
    /// HMAC-SHA1 (RFC 5849 section 3.4.2): the base64 HMAC of the base string under the signing key.
    public static let hmacSHA1 = hmac(name: "HMAC-SHA1", .sha1)
    /// HMAC-SHA256: HMAC-SHA1's construction with SHA-256.
    public static let hmacSHA256 = hmac(name: "HMAC-SHA256", .sha256)
    /// HMAC-SHA512: HMAC-SHA1's construction with SHA-512.
    public static let hmacSHA512 = hmac(name: "HMAC-SHA512", .sha512)

    /// RSA-SHA1 (RFC 5849 section 3.4.3): RSASSA-PKCS1-v1_5 with SHA-1 over the base string, checked with the client's public key.
    public static let rsaSHA1 = rsa(name: "RSA-SHA1", .sha1)
    /// RSA-SHA256: RSA-SHA1's construction with SHA-256.
    public static let rsaSHA256 = rsa(name: "RSA-SHA256", .sha256)

    /// PLAINTEXT (RFC 5849 section 3.4.4): the signature is the signing key itself, compared in constant time.
    public static let plaintext = SignatureMethod(name: "PLAINTEXT", allowsMissingTimestampAndNonce: true) { input in
        ConstantTime.equals(input.signature, input.signingKey)
    }

    /// An HMAC method over the base string with the given hash; the provided signature is base64-decoded and compared in constant time.
    public static func hmac(name: String, _ algorithm: HashAlgorithm) -> SignatureMethod {
        SignatureMethod(name: name) { input in
            var baseString = input.baseString
            let signature = input.signature
            // The closures below capture only what they use, so `input` is not copied into them.
            return SignatureInput.withSigningKey(clientSecret: input.clientSecret, tokenSecret: input.tokenSecret) { key in
                // A signature that is not base64 is compared as empty: the same work, and never equal.
                Base64.withDecoded(signature) { decoded in
                    let provided = decoded.map(UnsafeRawBufferPointer.init) ?? UnsafeRawBufferPointer(start: nil, count: 0)
                    return baseString.withUTF8 { message in
                        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { output in
                            let length = HMAC.authenticationCode(algorithm, key: key, message: UnsafeRawBufferPointer(message), into: output)
                            return ConstantTime.equals(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(output)[..<length]), provided)
                        }
                    }
                }
            }
        }
    }

    /// An RSASSA-PKCS1-v1_5 method over the base string with the given hash.
    public static func rsa(name: String, _ algorithm: HashAlgorithm) -> SignatureMethod {
        SignatureMethod(name: name, usesRSAPublicKey: true) { input in
            guard let key = input.rsaPublicKey, let signature = Base64.decode(input.signature) else { return false }
            var baseString = input.baseString
            return baseString.withUTF8 { key.verify(signature: signature, message: UnsafeRawBufferPointer($0), hash: algorithm) }
        }
    }
}
