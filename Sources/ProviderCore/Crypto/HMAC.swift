import COpenSSL

/// Keyed-hash message authentication (RFC 2104) through OpenSSL, as HMAC-SHA1 of RFC 5849 section 3.4.2 uses it.
public enum HMAC {
    /// OpenSSL's HMAC, fetched once per process; a fetched EVP_MAC is immutable and may be shared between threads.
    nonisolated(unsafe) private static let algorithm = EVP_MAC_fetch(nil, "HMAC", nil)

    /// The HMAC of a message under a key with the given hash; empty only if OpenSSL fails.
    public static func authenticationCode(_ hash: HashAlgorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        // A context that holds this key already is only reset (a NULL key keeps the key it has).
        let kept = HMACKeyedContexts.shared.take(hash, key: key)
        guard let context = kept ?? makeContext(hash, key: key) else { return [] }
        var code = [UInt8](repeating: 0, count: hash.digestLength)
        var length = 0
        let computed = (kept == nil || EVP_MAC_init(context, nil, 0, nil) == 1)
            && EVP_MAC_update(context, message, message.count) == 1
            && EVP_MAC_final(context, &code, &length, hash.digestLength) == 1
        guard computed, length == code.count else {
            EVP_MAC_CTX_free(context)
            ERR_clear_error()
            return []
        }
        HMACKeyedContexts.shared.put(context, hash, key: key)
        return code
    }

    /// A new HMAC context for `hash`, keyed with `key`, or nil if OpenSSL fails.
    private static func makeContext(_ hash: HashAlgorithm, key: [UInt8]) -> OpaquePointer? {
        guard let algorithm, let context = EVP_MAC_CTX_new(algorithm) else { return nil }
        let keyed = "digest".withCString { parameterName in
            hash.rawValue.withCString { digestName in
                var parameters = [OSSL_PARAM_construct_utf8_string(parameterName, UnsafeMutablePointer(mutating: digestName), 0),
                                  OSSL_PARAM_construct_end()]
                return EVP_MAC_init(context, key, key.count, &parameters) == 1
            }
        }
        guard keyed else {
            EVP_MAC_CTX_free(context)
            ERR_clear_error()
            return nil
        }
        return context
    }

    /// The HMAC of a UTF-8 message under a UTF-8 key.
    public static func authenticationCode(_ hash: HashAlgorithm, key: String, message: String) -> [UInt8] {
        authenticationCode(hash, key: Array(key.utf8), message: Array(message.utf8))
    }
}
