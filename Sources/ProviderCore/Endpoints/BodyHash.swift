/// The OAuth Request Body Hash extension (used by IMS LTI): `oauth_body_hash` is the base64 digest of a body that is not
/// form-encoded, with the signature method's hash, so a signature covers a JSON or XML body too.
enum BodyHash {
    /// Checks a present `oauth_body_hash` against the body; a form-encoded body must not carry one (its parameters are signed).
    /// - Parameter required: the client must send one whenever the body is not form-encoded and not empty.
    static func check(_ signed: SignedRequest, request: HTTPRequest, required: Bool = false) throws(OAuthError) {
        guard let provided = signed["oauth_body_hash"] else {
            if required, !request.hasFormBody, !request.body.isEmpty {
                throw OAuthError(.parameterAbsent, "This client must sign its request bodies: add oauth_body_hash, the base64 digest of the exact body bytes (OAuth Request Body Hash extension).")
            }
            return
        }
        if request.hasFormBody {
            throw OAuthError.rejected("oauth_body_hash", "oauth_body_hash must not be sent with a form-encoded body, whose parameters the signature already covers.")
        }
        let algorithm: HashAlgorithm = signed.signatureMethod.name.hasSuffix("SHA256") ? .sha256
            : signed.signatureMethod.name.hasSuffix("SHA512") ? .sha512 : .sha1
        let expected = Base64.encode(Digest.hash(algorithm, request.body))
        guard ConstantTime.equals(expected, provided) else {
            throw OAuthError(.signatureInvalid, "oauth_body_hash does not match the request body; hash the exact bytes sent with \(algorithm.rawValue) and base64-encode the digest.")
        }
    }
}
