extension SignatureMethod {
    /// PLAINTEXT (RFC 5849 section 3.4.4): `oauth_signature` is the signing key itself, compared in constant time; timestamp and nonce may be omitted (section 3.1).
    public static let plaintext = SignatureMethod(name: "PLAINTEXT", allowsMissingTimestampAndNonce: true) { input in
        ConstantTime.equals(input.signature, input.signingKey)
    }
}
