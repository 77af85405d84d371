import COpenSSL

/// An RSA public key a client registered for RSA-SHA1 (RFC 5849 section 3.4.3), parsed once and reused for every request.
public final class RSAPublicKey: @unchecked Sendable {
    /// The smallest key size accepted, in bits.
    public static let minimumBits = 1024
    /// The largest key size accepted, in bits: larger keys would let one client make every verification slow.
    public static let maximumBits = 8192

    /// The parsed key (an EVP_PKEY), only read after parsing, so threads may verify with it at once.
    private let key: OpaquePointer
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
        self.bits = bits
        self.format = format
    }

    deinit { EVP_PKEY_free(key) }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature of `message` under this key with the given hash (RFC 3447 section 8.2, as RFC 5849 section 3.4.3 uses it).
    public func verify(signature: [UInt8], message: [UInt8], hash: HashAlgorithm) -> Bool {
        // Without the digest OpenSSL would pick a default one: refuse instead.
        guard let digest = hash.messageDigest, let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        // An RSA key's default signature padding is PKCS #1 v1.5.
        let verified = EVP_DigestVerifyInit(context, nil, digest, nil, key) == 1
            && EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
        // A signature that does not verify leaves an error on the thread's queue.
        ERR_clear_error()
        return verified
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
