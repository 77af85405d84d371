import COpenSSL

/// A 2048-bit RSA public key with exponent 65537, prepared for the AVX-512 IFMA public-key operation in
/// `COpenSSL/rsa2048_ifma.h`: about twice as fast as OpenSSL's for the most common client key. The padding check is
/// RSASSA-PKCS1-v1_5's (RFC 8017 section 8.2.2): the expected encoding is built and compared whole, as OpenSSL does.
struct RSA2048VectorKey: Sendable {
    /// Whether this processor (and its kernel) can run the vector code; checked once per process.
    static let isAvailable = oauth1_rsa2048_vector_available() == 1

    private let prepared: oauth1_rsa2048_key

    /// The key prepared for the vector path, or nil when it does not apply: no IFMA here, a modulus that is not exactly
    /// 2048 bits, an exponent other than 65537, or an even modulus.
    init?(key: OpaquePointer) {
        guard Self.isAvailable, EVP_PKEY_get_bits(key) == 2048, let prepared = Self.prepare(key) else { return nil }
        self.prepared = prepared
    }

    private static func prepare(_ key: OpaquePointer) -> oauth1_rsa2048_key? {
        var modulus: OpaquePointer?
        var exponent: OpaquePointer?
        defer {
            BN_free(modulus)
            BN_free(exponent)
        }
        guard EVP_PKEY_get_bn_param(key, "n", &modulus) == 1, EVP_PKEY_get_bn_param(key, "e", &exponent) == 1,
              let modulus, let exponent, BN_is_word(exponent, 65_537) == 1, BN_is_odd(modulus) == 1,
              BN_num_bits(modulus) == 2048, let context = BN_CTX_new() else {
            ERR_clear_error()
            return nil
        }
        defer { BN_CTX_free(context) }
        // R^2 mod n with R = 2^2080: the factor that brings a number into Montgomery form.
        guard let square = BN_new() else { return nil }
        defer { BN_free(square) }
        guard BN_set_bit(square, 4160) == 1, BN_div(nil, square, square, modulus, context) == 1 else {
            ERR_clear_error()
            return nil
        }
        var modulusBytes = [UInt8](repeating: 0, count: 256)
        var squareBytes = [UInt8](repeating: 0, count: 256)
        guard BN_bn2binpad(modulus, &modulusBytes, 256) == 256, BN_bn2binpad(square, &squareBytes, 256) == 256 else {
            ERR_clear_error()
            return nil
        }
        var prepared = oauth1_rsa2048_key()
        oauth1_rsa2048_key_init(&prepared, modulusBytes, squareBytes)
        return prepared
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature over `digest`, a `hash` digest (RFC 8017 section 8.2.2).
    func verify(signature: [UInt8], digest: UnsafeBufferPointer<UInt8>, hash: HashAlgorithm) -> Bool {
        // RSAVP1 needs a signature exactly the modulus' length (OpenSSL refuses any other too).
        guard signature.count == 256, let prefix = Self.digestInfoPrefix(hash), digest.count == hash.digestLength else {
            return false
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { buffer -> Bool in
            let recovered = UnsafeMutableBufferPointer(rebasing: buffer[0..<256])
            let expected = UnsafeMutableBufferPointer(rebasing: buffer[256..<512])
            let inRange = withUnsafePointer(to: prepared) { key in
                oauth1_rsa2048_public(recovered.baseAddress, signature, key)
            }
            guard inRange == 1 else { return false }
            // EMSA-PKCS1-v1_5: 00 01 FF...FF 00, then the DigestInfo of the hash (RFC 8017 section 9.2).
            let tail = prefix.count + digest.count
            expected[0] = 0x00
            expected[1] = 0x01
            for index in 2..<(256 - tail - 1) { expected[index] = 0xFF }
            expected[256 - tail - 1] = 0x00
            for (offset, byte) in prefix.enumerated() { expected[256 - tail + offset] = byte }
            for (offset, byte) in digest.enumerated() { expected[256 - digest.count + offset] = byte }
            return ConstantTime.equals(UnsafeRawBufferPointer(recovered), UnsafeRawBufferPointer(expected))
        }
    }

    /// The DER of DigestInfo up to the digest itself, with the NULL parameters (RFC 8017 section 9.2, note 1).
    private static func digestInfoPrefix(_ hash: HashAlgorithm) -> [UInt8]? {
        switch hash {
        case .sha1: return sha1Prefix
        case .sha256: return sha256Prefix
        case .sha512: return sha512Prefix
        }
    }

    private static let sha1Prefix: [UInt8] = [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00,
                                              0x04, 0x14]
    private static let sha256Prefix: [UInt8] = [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
                                                0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
    private static let sha512Prefix: [UInt8] = [0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
                                                0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40]
}
