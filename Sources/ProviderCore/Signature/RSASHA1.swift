extension SignatureMethod {
    /// RSA-SHA1 (RFC 5849 section 3.4.3): `oauth_signature` is the base64 RSASSA-PKCS1-v1_5 signature with SHA-1 of the base string, checked with the client's RSA public key.
    public static let rsaSHA1 = rsa(name: "RSA-SHA1", .sha1)
    /// RSA-SHA256: RSA-SHA1's construction with SHA-256.
    public static let rsaSHA256 = rsa(name: "RSA-SHA256", .sha256)

    /// An RSASSA-PKCS1-v1_5 method over the base string with the given hash (RFC 5849 section 3.4.3).
    public static func rsa(name: String, _ algorithm: HashAlgorithm) -> SignatureMethod {
        SignatureMethod(name: name, usesRSAPublicKey: true) { input in
            guard let key = input.rsaPublicKey, let signature = Base64.decode(input.signature) else { return false }
            return key.verify(signature: signature, message: Array(input.baseString.utf8), hash: algorithm)
        }
    }
}
