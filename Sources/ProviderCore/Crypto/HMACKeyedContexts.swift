import COpenSSL
import Synchronization

/// OpenSSL HMAC contexts that already hold a signing key, kept per process for the keys used last. Keying a context
/// hashes the key's two pads, which costs more than hashing a whole base string; a request whose signing key (client
/// secret `&` token secret, RFC 5849 section 3.4.2) was used before only resets its context. bench/README.md lists
/// what this saves per request.
final class HMACKeyedContexts: Sendable {
    /// The contexts of this process.
    static let shared = HMACKeyedContexts()
    /// How many keyed contexts are kept; the one used least recently goes when a new key comes.
    static let capacity = 8

    private struct Entry: Sendable {
        let hash: HashAlgorithm
        let key: [UInt8]
        let context: OpaqueSendablePointer
    }

    /// Idle contexts, the most recently used first. A caller takes its context out, so no two threads ever use one.
    private let idle = Mutex<[Entry]>([])

    /// The idle context keyed with `key` for `hash`, taken out of the table, or nil. Keys are compared in constant time.
    func take(_ hash: HashAlgorithm, key: [UInt8]) -> OpaquePointer? {
        idle.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.hash == hash && ConstantTime.equals($0.key, key) }) else { return nil }
            return entries.remove(at: index).context.pointer
        }
    }

    /// Keeps a context keyed with `key` as the most recently used one.
    func put(_ context: OpaquePointer, _ hash: HashAlgorithm, key: [UInt8]) {
        let dropped = idle.withLock { entries -> OpaqueSendablePointer? in
            entries.insert(Entry(hash: hash, key: key, context: OpaqueSendablePointer(context)), at: 0)
            return entries.count > Self.capacity ? entries.removeLast().context : nil
        }
        if let dropped { EVP_MAC_CTX_free(dropped.pointer) }
    }
}

/// An OpenSSL object pointer that moves between threads; whoever holds it is its only user.
struct OpaqueSendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
