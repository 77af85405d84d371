import ProviderCore

/// The 128-bit fingerprint under which the nonce table stores one (client, token, timestamp, nonce): SipHash-2-4-128
/// keyed with the first 16 bytes of the table's secret salt, over the four values, each string prefixed with its length
/// so no two tuples share an input. Equal tuples always give equal fingerprints, so a replay is never missed; two
/// different tuples collide with probability about 2^-127, and then the second request is refused as a replay, which
/// the client answers with a new nonce. Without the salt no one can search for such collisions.
struct NonceFingerprint: Equatable, Sendable {
    /// The 16 bytes stored in a slot; never all zero, since an all-zero slot is an empty one.
    let bytes: [UInt8]

    /// The fingerprint of `nonce` under the table's `salt`.
    init(_ nonce: TimestampNonce, salt: [UInt8]) throws {
        var message = [UInt8]()
        message.reserveCapacity(32 + nonce.clientIdentifier.utf8.count + nonce.token.utf8.count + nonce.nonce.utf8.count)
        Self.append(nonce.clientIdentifier, to: &message)
        Self.append(nonce.token, to: &message)
        message += .littleEndian(nonce.timestamp)
        Self.append(nonce.nonce, to: &message)
        var bytes = try SipHash128.hash(message, key: Array(salt.prefix(16)))
        // The top bit of the last byte set, so no fingerprint is all zero.
        bytes[15] |= 0x80
        self.bytes = bytes
    }

    /// Bits that pick the fingerprint's window in `level`, different for every level.
    func windowSeed(level: Int) -> UInt64 {
        var value = bytes.littleEndianWord(at: 0)
        // A bijective 64-bit mix (the finalizer of SplitMix64) of the low half and the level.
        value ^= UInt64(level) &* 0x9E37_79B9_7F4A_7C15
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Whether the 16 bytes at `offset` of `slots` are this fingerprint.
    func matches(_ slots: [UInt8], at offset: Int) -> Bool {
        slots[offset..<offset + 16].elementsEqual(bytes)
    }

    /// Whether the 16 bytes at `offset` of `slots` are an empty slot.
    static func isEmpty(_ slots: [UInt8], at offset: Int) -> Bool {
        slots[offset..<offset + 16].allSatisfy { $0 == 0 }
    }

    /// Appends a string's UTF-8 length (8 bytes, little-endian) and then its UTF-8 bytes.
    private static func append(_ field: String, to message: inout [UInt8]) {
        message += .littleEndian(UInt64(field.utf8.count))
        message += field.utf8
    }
}
