import COpenSSL
import Synchronization

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

    /// A context keyed with the last key used, copied for each hash: keying costs more than hashing a short message.
    /// The nonce table uses one key (its salt) for every fingerprint.
    private static let keyed = Mutex<(key: [UInt8], context: OpaqueContext)?>(nil)

    /// The 16 bytes of SipHash-2-4-128 of `message` under the 16-byte `key`, as the reference implementation writes them.
    static func hash(_ message: [UInt8], key: [UInt8]) throws(Failure) -> [UInt8] {
        guard key.count == 16, let context = try keyedCopy(key) else { throw Failure() }
        defer { EVP_MAC_CTX_free(context) }
        var written = 0
        var output = [UInt8](repeating: 0, count: 16)
        guard EVP_MAC_update(context, message, message.count) == 1,
              EVP_MAC_final(context, &output, &written, output.count) == 1, written == 16 else {
            ERR_clear_error()
            throw Failure()
        }
        return output
    }

    /// A fresh copy of a context keyed with `key` and set to 128-bit output.
    private static func keyedCopy(_ key: [UInt8]) throws(Failure) -> OpaquePointer? {
        let copy = keyed.withLock { kept in kept.flatMap { $0.key == key ? EVP_MAC_CTX_dup($0.context.pointer) : nil } }
        if let copy { return copy }
        guard let algorithm, let context = EVP_MAC_CTX_new(algorithm) else { throw Failure() }
        var outputSize = 16
        let initialized = "size".withCString { name in
            var parameters = [OSSL_PARAM_construct_size_t(name, &outputSize), OSSL_PARAM_construct_end()]
            return EVP_MAC_init(context, key, key.count, &parameters) == 1
        }
        guard initialized, let copy = EVP_MAC_CTX_dup(context) else {
            EVP_MAC_CTX_free(context)
            ERR_clear_error()
            throw Failure()
        }
        let replaced = keyed.withLock { kept in
            defer { kept = (key, OpaqueContext(context)) }
            return kept?.context
        }
        if let replaced { EVP_MAC_CTX_free(replaced.pointer) }
        return copy
    }

    /// An OpenSSL context kept between calls; only copies of it are ever used.
    private struct OpaqueContext: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
    }
}
