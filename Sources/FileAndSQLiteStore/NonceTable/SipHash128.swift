import COpenSSL

/// SipHash-2-4 with its 128-bit output (Aumasson and Bernstein, "SipHash: a fast short-input PRF"), computed by
/// OpenSSL's EVP_MAC "SIPHASH": the keyed hash of the nonce table's fingerprints.
enum SipHash128 {
    /// OpenSSL's SipHash, fetched once per process; nil if this OpenSSL lacks it. An `EVP_MAC` is read-only once
    /// fetched, so every thread may use it.
    nonisolated(unsafe) private static let algorithm: OpaquePointer? = EVP_MAC_fetch(nil, "SIPHASH", nil)

    /// OpenSSL could not compute the hash.
    struct Failure: Error, CustomStringConvertible {
        var description: String { "OpenSSL could not compute SipHash-2-4-128" }
    }

    /// The 16 bytes of SipHash-2-4-128 of `message` under the 16-byte `key`, as the reference implementation writes them.
    static func hash(_ message: [UInt8], key: [UInt8]) throws(Failure) -> [UInt8] {
        guard key.count == 16, let algorithm, let context = EVP_MAC_CTX_new(algorithm) else { throw Failure() }
        defer { EVP_MAC_CTX_free(context) }
        var outputSize = 16
        var written = 0
        var output = [UInt8](repeating: 0, count: 16)
        let computed = "size".withCString { name in
            var parameters = [OSSL_PARAM_construct_size_t(name, &outputSize), OSSL_PARAM_construct_end()]
            return EVP_MAC_init(context, key, key.count, &parameters) == 1
                && EVP_MAC_update(context, message, message.count) == 1
                && EVP_MAC_final(context, &output, &written, output.count) == 1
        }
        guard computed, written == 16 else {
            ERR_clear_error()
            throw Failure()
        }
        return output
    }
}
