import COpenSSL
import Synchronization

/// The OpenSSL verification contexts of one RSA public key, set up once (key, PKCS #1 v1.5 padding, hash) and reused,
/// at most one idle context per hash. A caller takes a context out, so threads never share one.
final class RSAVerifyContexts: Sendable {
    private let idle = Mutex<[HashAlgorithm: OpaqueSendablePointer]>([:])

    deinit {
        idle.withLock { idle in
            for context in idle.values { EVP_PKEY_CTX_free(context.pointer) }
        }
    }

    /// An idle context for this hash, if one was kept.
    func take(_ hash: HashAlgorithm) -> OpaqueSendablePointer? {
        idle.withLock { $0.removeValue(forKey: hash) }
    }

    /// Keeps a context for the next verification, or frees it when one is kept already.
    func put(_ context: OpaqueSendablePointer, _ hash: HashAlgorithm) {
        let kept = idle.withLock { idle -> Bool in
            guard idle[hash] == nil else { return false }
            idle[hash] = context
            return true
        }
        if !kept { EVP_PKEY_CTX_free(context.pointer) }
    }

    /// A new context that verifies RSASSA-PKCS1-v1_5 signatures of `hash` digests under `key` (RFC 3447 section 8.2).
    func make(key: OpaquePointer, hash: HashAlgorithm) -> OpaqueSendablePointer? {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            ERR_clear_error()
            return nil
        }
        guard let md = FetchedDigest.implementation(hash) ?? hash.evp,
              EVP_PKEY_verify_init(context) == 1,
              EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1,
              EVP_PKEY_CTX_set_signature_md(context, md) == 1 else {
            EVP_PKEY_CTX_free(context)
            ERR_clear_error()
            return nil
        }
        return OpaqueSendablePointer(context)
    }
}
