extension SignatureMethod {
    /// HMAC-SHA1 (RFC 5849 section 3.4.2): `oauth_signature` is the base64 HMAC-SHA1 of the base string under the signing key.
    public static let hmacSHA1 = hmac(name: "HMAC-SHA1", .sha1)
    /// HMAC-SHA256: HMAC-SHA1's construction with SHA-256.
    public static let hmacSHA256 = hmac(name: "HMAC-SHA256", .sha256)
    /// HMAC-SHA512: HMAC-SHA1's construction with SHA-512.
    public static let hmacSHA512 = hmac(name: "HMAC-SHA512", .sha512)

    /// An HMAC method over the base string with the given hash (RFC 5849 section 3.4.2); the provided signature is base64-decoded and compared in constant time.
    public static func hmac(name: String, _ algorithm: HashAlgorithm) -> SignatureMethod {
        SignatureMethod(name: name) { input in
            let digest = HMAC.authenticationCode(algorithm, key: input.signingKey, message: input.baseString)
            // A signature that is not base64 is compared as empty: the same work, and never equal.
            let provided = Base64.decode(input.signature) ?? []
            return ConstantTime.equals(digest, provided)
        }
    }
}
