import ProviderCore

/// Nonces in Redis: each is one key written by one atomic `SET … NX EX`, so of every process and host given the same
/// nonce exactly one is told it was absent, and Redis forgets it when it expires.
public final class RedisNonceStore: NonceStore {
    private let keyspace: RedisKeyspace

    init(keyspace: RedisKeyspace) { self.keyspace = keyspace }

    /// True only when Redis confirms it set the nonce's key, which expires at `expiresAt` (at least a second from now).
    public func insertIfAbsent(_ nonce: TimestampNonce, expiresAt: Int64) throws -> Bool {
        let timeToLive = keyspace.timeToLive(until: expiresAt)
        let reply = try keyspace.connection.command([Array("SET".utf8), try key(for: nonce), Array("1".utf8), Array("NX".utf8),
                                            Array("EX".utf8), Array(String(timeToLive).utf8)])
        switch reply {
        case .status("OK"): return true
        case .null: return false
        default: throw keyspace.error("SET NX gave an unexpected reply")
        }
    }

    /// The nonce's key: the prefix, `nonce:`, and the SHA-256 of its four parts, each preceded by its length, so that
    /// no two different nonces share a key and every key has the same length.
    func key(for nonce: TimestampNonce) throws -> [UInt8] {
        var message = Array("oauth1-nonce\u{0}".utf8)
        for part in [nonce.clientIdentifier, nonce.token, String(nonce.timestamp), nonce.nonce] {
            let bytes = Array(part.utf8)
            let length = UInt64(bytes.count)
            for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
            message.append(contentsOf: bytes)
        }
        let digest = Digest.hash(.sha256, message)
        guard !digest.isEmpty else { throw keyspace.error("SHA-256 of a nonce failed") }
        return keyspace.key("nonce", Digest.hex(digest))
    }
}
