import COpenSSL
import Synchronization

/// OpenSSL HMAC contexts that already hold a signing key, kept per process for the keys used last. Keying a context
/// hashes the key's two pads, which costs more than hashing a whole base string; a request whose signing key (client
/// secret `&` token secret, RFC 5849 section 3.4.2) was used before only resets its context. bench/README.md lists
/// what this saves per request.
final class HMACKeyedContexts: Sendable {
    /// The contexts of this process.
    static let shared = HMACKeyedContexts()
    /// How many keyed contexts are kept; when a new key comes and the table is full, all are dropped.
    static let capacity = 64

    private struct Entry: Hashable {
        let hash: HashAlgorithm
        let key: [UInt8]
    }

    /// Idle contexts by hash and key. A caller takes its context out, so no two threads ever use one. Keys are found by
    /// their hash first, so bytes are compared only with an equal key's (or, very rarely, a colliding one's).
    private let idle = Mutex<[Entry: OpaqueSendablePointer]>([:])

    /// The idle context keyed with `key` for `hash`, taken out of the table, or nil.
    func take(_ hash: HashAlgorithm, key: [UInt8]) -> OpaquePointer? {
        idle.withLock { $0.removeValue(forKey: Entry(hash: hash, key: key)) }?.pointer
    }

    /// Keeps a context keyed with `key` for the next request with the same key.
    func put(_ context: OpaquePointer, _ hash: HashAlgorithm, key: [UInt8]) {
        let dropped = idle.withLock { idle -> [OpaqueSendablePointer] in
            var dropped = [OpaqueSendablePointer]()
            if idle.count >= Self.capacity {
                dropped = Array(idle.values)
                idle.removeAll()
            }
            if let replaced = idle.updateValue(OpaqueSendablePointer(context), forKey: Entry(hash: hash, key: key)) {
                dropped.append(replaced)
            }
            return dropped
        }
        for context in dropped { EVP_MAC_CTX_free(context.pointer) }
    }
}

/// An OpenSSL object pointer that moves between threads; whoever holds it is its only user.
struct OpaqueSendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
