import COpenSSL

/// The hash functions the built-in signature methods use.
public enum HashAlgorithm: String, Sendable, CaseIterable {
    /// SHA-1, for HMAC-SHA1 and RSA-SHA1 (RFC 5849 sections 3.4.2 and 3.4.3).
    case sha1 = "SHA1"
    /// SHA-256, for HMAC-SHA256 and RSA-SHA256.
    case sha256 = "SHA256"
    /// SHA-512, for HMAC-SHA512.
    case sha512 = "SHA512"

    /// The digest size in bytes.
    public var digestLength: Int {
        switch self {
        case .sha1: return 20
        case .sha256: return 32
        case .sha512: return 64
        }
    }

    /// OpenSSL's implementation of the hash, fetched once per process; nil only when the provider lacks it.
    var messageDigest: OpaquePointer? {
        switch self {
        case .sha1: return Self.fetchedSHA1
        case .sha256: return Self.fetchedSHA256
        case .sha512: return Self.fetchedSHA512
        }
    }

    // A fetched EVP_MD is immutable and may be shared between threads.
    nonisolated(unsafe) private static let fetchedSHA1 = EVP_MD_fetch(nil, "SHA1", nil)
    nonisolated(unsafe) private static let fetchedSHA256 = EVP_MD_fetch(nil, "SHA256", nil)
    nonisolated(unsafe) private static let fetchedSHA512 = EVP_MD_fetch(nil, "SHA512", nil)
}
