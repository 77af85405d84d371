import COpenSSL
import Synchronization

/// OpenSSL HMAC contexts kept for reuse. The one-shot `HMAC()` looks the HMAC implementation and the digest up by name
/// and builds a context on every call, which cost more than the hashing; a kept context only takes the new key.
/// A caller takes a context out of the pool, so threads never share one.
final class HMACContextPool: Sendable {
    static let shared = HMACContextPool()

    private let mac: OpaqueSendablePointer?
    private let idle = Mutex<[HashAlgorithm: [OpaqueSendablePointer]]>([:])

    private init() {
        mac = EVP_MAC_fetch(nil, "HMAC", nil).map(OpaqueSendablePointer.init)
    }

    /// The HMAC, or nil when OpenSSL could not provide a context (the caller then uses the one-shot function).
    func authenticationCode(_ algorithm: HashAlgorithm, key: [UInt8], message: [UInt8]) -> [UInt8]? {
        guard let context = take(algorithm) else { return nil }
        var output = [UInt8](repeating: 0, count: 64)
        var length = 0
        let keyBytes = key.isEmpty ? [0] : key
        let ok = keyBytes.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    // A non-NULL key (even of length 0) replaces the previous one; NULL would reuse it.
                    EVP_MAC_init(context.pointer, keyBuffer.baseAddress, key.count, nil) == 1
                        && EVP_MAC_update(context.pointer, messageBuffer.baseAddress, messageBuffer.count) == 1
                        && EVP_MAC_final(context.pointer, outputBuffer.baseAddress, &length, outputBuffer.count) == 1
                }
            }
        }
        guard ok, length == algorithm.digestLength else {
            EVP_MAC_CTX_free(context.pointer)
            return nil
        }
        put(context, algorithm)
        return Array(output.prefix(length))
    }

    private func take(_ algorithm: HashAlgorithm) -> OpaqueSendablePointer? {
        if let context = idle.withLock({ $0[algorithm]?.popLast() }) { return context }
        guard let mac, let context = EVP_MAC_CTX_new(mac.pointer) else { return nil }
        let configured = "digest".withCString { key in
            algorithm.rawValue.withCString { name in
                var parameters = [OSSL_PARAM_construct_utf8_string(key, UnsafeMutablePointer(mutating: name), 0),
                                  OSSL_PARAM_construct_end()]
                return EVP_MAC_CTX_set_params(context, &parameters) == 1
            }
        }
        guard configured else {
            EVP_MAC_CTX_free(context)
            return nil
        }
        return OpaqueSendablePointer(context)
    }

    private func put(_ context: OpaqueSendablePointer, _ algorithm: HashAlgorithm) {
        let kept = idle.withLock { pool -> Bool in
            guard pool[algorithm, default: []].count < 8 else { return false }
            pool[algorithm, default: []].append(context)
            return true
        }
        if !kept { EVP_MAC_CTX_free(context.pointer) }
    }
}

/// An OpenSSL object pointer that moves between threads; whoever holds it is its only user.
struct OpaqueSendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
