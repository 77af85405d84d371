import COpenSSL

/// The OpenSSL digest implementations, fetched from the default provider once per process. `EVP_sha1()` and its
/// kind are legacy handles that OpenSSL 3 resolves to a provider on every use; a fetched `EVP_MD` skips that.
enum FetchedDigest {
    private static let sha1 = fetch("SHA1")
    private static let sha256 = fetch("SHA256")
    private static let sha512 = fetch("SHA512")

    private static func fetch(_ name: String) -> OpaqueSendablePointer? {
        EVP_MD_fetch(nil, name, nil).map(OpaqueSendablePointer.init)
    }

    /// The fetched implementation of a hash, or nil when the provider does not offer it.
    static func implementation(_ algorithm: HashAlgorithm) -> OpaquePointer? {
        switch algorithm {
        case .sha1: return sha1?.pointer
        case .sha256: return sha256?.pointer
        case .sha512: return sha512?.pointer
        }
    }

    /// The digest of `message`, written to `output` (at least 64 bytes); the digest's length, or nil on failure.
    static func hash(_ algorithm: HashAlgorithm, _ message: UnsafeRawBufferPointer,
                     into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        guard let md = implementation(algorithm) ?? algorithm.evp, output.count >= 64 else { return nil }
        var length: UInt32 = 0
        guard EVP_Digest(message.baseAddress, message.count, output.baseAddress, &length, md, nil) == 1 else {
            ERR_clear_error()
            return nil
        }
        return Int(length)
    }
}
