import Synchronization

/// Parsed RSA public keys by their PEM text, so a store hands out a key parsed once per process rather than once per request.
public final class RSAPublicKeyCache: Sendable {
    private let keys = Mutex<[String: RSAPublicKey]>([:])
    private let capacity: Int

    /// Creates a cache that holds at most `capacity` keys, dropping all when full.
    public init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// The parsed key for this PEM text, parsing it on first use.
    public func key(forPEM pem: String) throws(RSAKeyError) -> RSAPublicKey {
        if let cached = keys.withLock({ $0[pem] }) { return cached }
        let parsed = try RSAPublicKey(pem: pem)
        keys.withLock { keys in
            if keys.count >= capacity { keys.removeAll() }
            keys[pem] = parsed
        }
        return parsed
    }
}
