import COpenSSL
import Synchronization

/// An RSA public key a client registered for RSA-SHA1 (RFC 5849 section 3.4.3), parsed once and reused for every request.
public final class RSAPublicKey: @unchecked Sendable {
    /// The smallest key size accepted, in bits.
    public static let minimumBits = 1024
    /// The largest key size accepted, in bits: larger keys would let one client make every verification slow.
    public static let maximumBits = 8192

    private let key: OpaquePointer
    /// Verification contexts of this key, one idle per hash at most (RSAVerifyContexts.swift).
    private let contexts = RSAVerifyContexts()
    /// The key prepared for the AVX-512 IFMA public-key operation, where it applies (RSA2048VectorKey.swift).
    private let vectorKey: RSA2048VectorKey?
    /// The modulus size in bits.
    public let bits: Int
    /// Which PEM form the key arrived in.
    public let format: Format

    /// The encodings a client may register a key in.
    public enum Format: String, Sendable {
        /// `-----BEGIN PUBLIC KEY-----`: X.509 SubjectPublicKeyInfo.
        case subjectPublicKeyInfo = "SubjectPublicKeyInfo"
        /// `-----BEGIN RSA PUBLIC KEY-----`: PKCS#1 RSAPublicKey.
        case pkcs1 = "PKCS#1"
        /// `-----BEGIN CERTIFICATE-----`: the key inside an X.509 certificate.
        case certificate = "X.509 certificate"
    }

    /// Parses a public key from PEM: SubjectPublicKeyInfo, PKCS#1 or an X.509 certificate, RSA of 1024 to 8192 bits.
    public init(pem: String) throws(RSAKeyError) {
        guard let block = PEMBlock.first(in: pem) else { throw .notPEM }
        let format: Format
        let parsed: OpaquePointer?
        switch block.label {
        case "PUBLIC KEY":
            format = .subjectPublicKeyInfo
            parsed = block.der.withUnsafeBufferPointer { buffer in
                var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
                return d2i_PUBKEY(nil, &cursor, buffer.count)
            }
        case "RSA PUBLIC KEY":
            format = .pkcs1
            parsed = block.der.withUnsafeBufferPointer { buffer in
                var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
                return d2i_PublicKey(EVP_PKEY_RSA, nil, &cursor, buffer.count)
            }
        case "CERTIFICATE":
            format = .certificate
            parsed = block.der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
                var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
                guard let certificate = d2i_X509(nil, &cursor, buffer.count) else { return nil }
                defer { X509_free(certificate) }
                return X509_get_pubkey(certificate)
            }
        case "RSA PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
            throw .privateKey
        default:
            throw .unsupportedLabel(block.label)
        }
        ERR_clear_error()
        guard let parsed else { throw .undecodable(format.rawValue) }
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_RSA else {
            EVP_PKEY_free(parsed)
            throw .notRSA
        }
        let bits = Int(EVP_PKEY_get_bits(parsed))
        guard bits >= Self.minimumBits, bits <= Self.maximumBits else {
            EVP_PKEY_free(parsed)
            throw .badSize(bits)
        }
        self.key = parsed
        self.vectorKey = RSA2048VectorKey(key: parsed)
        self.bits = bits
        self.format = format
    }

    deinit { EVP_PKEY_free(key) }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature of `message` under this key with the given hash (RFC 3447 section 8.2, as RFC 5849 section 3.4.3 uses it).
    public func verify(signature: [UInt8], message: [UInt8], hash: HashAlgorithm) -> Bool {
        message.withUnsafeBytes { verify(signature: signature, message: $0, hash: hash) }
    }

    /// Whether verifications with this key use the vector public-key operation rather than OpenSSL's.
    var usesVectorOperation: Bool { vectorKey != nil }

    /// The same check over message bytes in place: the message is hashed, and the digest checked by the vector
    /// operation where it applies, else with an OpenSSL context of this key kept from an earlier request (setting one up
    /// costs more than the digest and padding checks). `openSSLOnly` is for tests that compare the two.
    func verify(signature: [UInt8], message: UnsafeRawBufferPointer, hash: HashAlgorithm, openSSLOnly: Bool = false) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { digest -> Bool in
            guard let length = FetchedDigest.hash(hash, message, into: digest) else { return false }
            if let vectorKey, !openSSLOnly {
                return vectorKey.verify(signature: signature, digest: UnsafeBufferPointer(rebasing: digest[0..<length]), hash: hash)
            }
            guard let context = contexts.take(hash) ?? contexts.make(key: key, hash: hash) else { return false }
            let result = signature.withUnsafeBufferPointer { signatureBuffer in
                EVP_PKEY_verify(context.pointer, signatureBuffer.baseAddress, signatureBuffer.count, digest.baseAddress, length)
            }
            if result != 1 { ERR_clear_error() }
            // 0 is a signature that does not verify; below 0 an OpenSSL failure, after which the context is not kept.
            if result >= 0 { contexts.put(context, hash) } else { EVP_PKEY_CTX_free(context.pointer) }
            return result == 1
        }
    }
}

/// Why a registered RSA public key was refused.
public enum RSAKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `-----BEGIN ...-----` block with valid base64 was found.
    case notPEM
    /// The block is a private key; only the public key may be registered.
    case privateKey
    /// The block's label is not a public key or certificate.
    case unsupportedLabel(String)
    /// The DER inside the block could not be decoded in the named format.
    case undecodable(String)
    /// The key is not an RSA key.
    case notRSA
    /// The key's size in bits is outside 1024...8192.
    case badSize(Int)

    /// A sentence naming the problem, for the developer who uploaded the key.
    public var description: String {
        switch self {
        case .notPEM:
            return "The RSA public key is not PEM text: paste the block from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY----- (or an X.509 certificate)."
        case .privateKey:
            return "That is a private key; register only the public key (openssl rsa -in key.pem -pubout)."
        case .unsupportedLabel(let label):
            return "A PEM block labelled '\(label)' is not accepted; use PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE."
        case .undecodable(let format):
            return "The PEM block could not be decoded as \(format); it may be truncated or corrupted."
        case .notRSA:
            return "The key is not an RSA key; RSA-SHA1 and RSA-SHA256 need an RSA public key."
        case .badSize(let bits):
            return "The RSA key has \(bits) bits; keys from \(RSAPublicKey.minimumBits) to \(RSAPublicKey.maximumBits) bits are accepted."
        }
    }
}
