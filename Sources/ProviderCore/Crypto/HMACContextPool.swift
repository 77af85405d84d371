import COpenSSL
import Synchronization

/// OpenSSL HMAC contexts kept for reuse, each still holding the key it was last used with. Keying a context hashes the
/// key's inner and outer pads and copies digest states, which cost more than hashing a base string; a request whose key
/// (client secret `&` token secret, RFC 5849 section 3.4.2) was used recently only resets its context and hashes the message.
/// A caller takes a context out of the pool, so threads never share one.
final class HMACContextPool: Sendable {
    static let shared = HMACContextPool()

    /// How many keyed contexts are kept per hash; the least recently used one is rekeyed when a new key comes.
    static let capacity = 8

    /// A context and the key it holds. The key is kept to confirm a match in constant time; the hash only finds candidates.
    private struct KeyedContext: Sendable {
        let keyHash: Int
        let key: [UInt8]
        let context: OpaqueSendablePointer
    }

    private let mac: OpaqueSendablePointer?
    /// Per hash (`HashAlgorithm.poolIndex`), most recently used first.
    private let keyed = Mutex<[[KeyedContext]]>(Array(repeating: [], count: HashAlgorithm.allCases.count))

    private init() {
        mac = EVP_MAC_fetch(nil, "HMAC", nil).map(OpaqueSendablePointer.init)
    }

    /// Writes the HMAC of `message` under `key` to `output` (at least 64 bytes) and returns its length, or nil when
    /// OpenSSL could not provide a context (the caller then uses the one-shot function).
    func authenticationCode(_ algorithm: HashAlgorithm, key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer,
                            into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        let keyHash = Self.hash(key)
        let (reused, holdsKey) = take(algorithm, key: key, keyHash: keyHash)
        guard let context = reused?.context ?? make(algorithm) else { return nil }
        var length = 0
        let ok = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { empty -> Bool in
            // A NULL key keeps the context's key; any other pointer (even for an empty key) replaces it.
            let keyed = holdsKey ? EVP_MAC_init(context.pointer, nil, 0, nil)
                : EVP_MAC_init(context.pointer, key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(empty.baseAddress),
                               key.count, nil)
            return keyed == 1
                && EVP_MAC_update(context.pointer, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
                && EVP_MAC_final(context.pointer, output.baseAddress, &length, output.count) == 1
        }
        guard ok, length == algorithm.digestLength else {
            EVP_MAC_CTX_free(context.pointer)
            ERR_clear_error()
            return nil
        }
        put(holdsKey ? reused : nil, context, algorithm, key: key, keyHash: keyHash)
        return length
    }

    /// The entry already keyed with `key` (and true), else the least recently used entry when the pool is full (and false).
    private func take(_ algorithm: HashAlgorithm, key: UnsafeRawBufferPointer, keyHash: Int) -> (KeyedContext?, Bool) {
        keyed.withLock { pool -> (KeyedContext?, Bool) in
            let index = algorithm.poolIndex
            // By position, not by iterating a copy of the list: the copy would make `remove` duplicate the whole list.
            for position in pool[index].indices where pool[index][position].keyHash == keyHash {
                let matches = pool[index][position].key.withUnsafeBytes { ConstantTime.equals($0, key) }
                if matches { return (pool[index].remove(at: position), true) }
            }
            guard pool[index].count >= Self.capacity else { return (nil, false) }
            return (pool[index].popLast(), false)
        }
    }

    /// Keeps a context as the most recently used one for its key; `entry` is the one taken when it already held this key.
    private func put(_ entry: KeyedContext?, _ context: OpaqueSendablePointer, _ algorithm: HashAlgorithm,
                     key: UnsafeRawBufferPointer, keyHash: Int) {
        let entry = entry ?? KeyedContext(keyHash: keyHash, key: Array(key), context: context)
        let dropped = keyed.withLock { pool -> KeyedContext? in
            let index = algorithm.poolIndex
            pool[index].insert(entry, at: 0)
            return pool[index].count > Self.capacity ? pool[index].popLast() : nil
        }
        if let dropped { EVP_MAC_CTX_free(dropped.context.pointer) }
    }

    /// A new HMAC context for this hash, not yet keyed.
    private func make(_ algorithm: HashAlgorithm) -> OpaqueSendablePointer? {
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
            ERR_clear_error()
            return nil
        }
        return OpaqueSendablePointer(context)
    }

    /// A hash of the key, to find candidate contexts without comparing every key: eight bytes at a time, each word mixed
    /// in with a multiply. Unseeded is enough: a candidate is used only once the whole key has compared equal in constant
    /// time, so two keys with one hash cost a comparison, never a wrong context; and the work depends on the key's length.
    private static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        var hash = UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15
        var index = 0
        while index + 8 <= key.count {
            hash = (hash ^ key.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            index += 8
        }
        while index < key.count {
            hash = (hash ^ UInt64(key[index])) &* 0x94D0_49BB_1331_11EB
            index += 1
        }
        return Int(truncatingIfNeeded: hash ^ hash >> 31)
    }
}

extension HashAlgorithm {
    /// The position of the hash in per-hash tables.
    var poolIndex: Int {
        switch self {
        case .sha1: return 0
        case .sha256: return 1
        case .sha512: return 2
        }
    }
}

/// An OpenSSL object pointer that moves between threads; whoever holds it is its only user.
struct OpaqueSendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
