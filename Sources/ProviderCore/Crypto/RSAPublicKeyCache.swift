import Synchronization

/// Parsed RSA public keys by their PEM text, so a store hands out a key parsed once per process rather than once per request.
public final class RSAPublicKeyCache: Sendable {
    private struct State {
        var keys: [String: RSAPublicKey] = [:]
        /// The key handed out last: comparing its PEM text costs less than hashing the text for the dictionary.
        var last: (pem: String, key: RSAPublicKey)?
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// Creates a cache that holds at most `capacity` keys, dropping all when full.
    public init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// The parsed key for this PEM text, parsing it on first use.
    public func key(forPEM pem: String) throws(RSAKeyError) -> RSAPublicKey {
        let cached = state.withLock { state -> RSAPublicKey? in
            if let last = state.last, last.pem == pem { return last.key }
            guard let key = state.keys[pem] else { return nil }
            state.last = (pem, key)
            return key
        }
        if let cached { return cached }
        let parsed = try RSAPublicKey(pem: pem)
        state.withLock { state in
            if state.keys.count >= capacity { state.keys.removeAll(keepingCapacity: true) }
            state.keys[pem] = parsed
            state.last = (pem, parsed)
        }
        return parsed
    }
}
