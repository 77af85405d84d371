import COpenSSL

/// The hash functions the built-in signature methods use.
public enum HashAlgorithm: String, Sendable, CaseIterable {
    /// SHA-1, for HMAC-SHA1 and RSA-SHA1 (RFC 5849 sections 3.4.2 and 3.4.3).
    case sha1 = "SHA1"
    /// SHA-256, for HMAC-SHA256 and RSA-SHA256.
    case sha256 = "SHA256"
    /// SHA-512, for HMAC-SHA512.
    case sha512 = "SHA512"

    var evp: OpaquePointer? {
        switch self {
        case .sha1: return EVP_sha1()
        case .sha256: return EVP_sha256()
        case .sha512: return EVP_sha512()
        }
    }

    /// The digest size in bytes.
    public var digestLength: Int {
        switch self {
        case .sha1: return 20
        case .sha256: return 32
        case .sha512: return 64
        }
    }
}

/// Keyed-hash message authentication (RFC 2104) through OpenSSL, as HMAC-SHA1 of RFC 5849 section 3.4.2 uses it.
public enum HMAC {
    /// The HMAC of a message under a key with the given hash.
    public static func authenticationCode(_ algorithm: HashAlgorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { output in
                    Array(output.prefix(authenticationCode(algorithm, key: key, message: message, into: output)))
                }
            }
        }
    }

    /// Writes the HMAC of `message` under `key` to `output` (at least 64 bytes) and returns its length.
    static func authenticationCode(_ algorithm: HashAlgorithm, key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer,
                                   into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        if let length = HMACContextPool.shared.authenticationCode(algorithm, key: key, message: message, into: output) {
            return length
        }
        var length: UInt32 = 0
        let keyBytes: [UInt8] = key.isEmpty ? [0] : Array(key)
        _ = keyBytes.withUnsafeBufferPointer { keyBuffer in
            COpenSSL.HMAC(algorithm.evp, keyBuffer.baseAddress, Int32(key.count),
                          message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
                          output.baseAddress, &length)
        }
        return Int(length)
    }

    /// The HMAC of a UTF-8 message under a UTF-8 key.
    public static func authenticationCode(_ algorithm: HashAlgorithm, key: String, message: String) -> [UInt8] {
        authenticationCode(algorithm, key: Array(key.utf8), message: Array(message.utf8))
    }
}
