import ProviderCore

/// The 128-bit fingerprint under which the nonce table stores one (client, token, timestamp, nonce): SipHash-2-4-128
/// keyed with the table's secret salt, over the four values, each prefixed with its length so no two tuples share an
/// input. Equal tuples always give equal fingerprints, so a replay is never missed; two different tuples collide with
/// probability about 2^-127, and then the second request is refused as a replay, which the client answers with a new
/// nonce. Without the salt no one can search for such collisions.
struct NonceFingerprint: Equatable, Sendable {
    /// Never all zero: an all-zero slot is an empty one.
    let bytes: [UInt8]

    init(_ nonce: TimestampNonce, salt: [UInt8]) {
        var hasher = SipHash128(k0: salt.littleEndianWord(at: 0), k1: salt.littleEndianWord(at: 8))
        Self.append(nonce.clientIdentifier, to: &hasher)
        Self.append(nonce.token, to: &hasher)
        withUnsafeBytes(of: nonce.timestamp.littleEndian) { hasher.append($0) }
        Self.append(nonce.nonce, to: &hasher)
        let (first, second) = hasher.finalize()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: first >> (8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: second >> (8 * index))
        }
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

    /// Whether the 16 bytes at `offset` of `buffer` are this fingerprint.
    func matches(_ buffer: [UInt8], at offset: Int) -> Bool {
        for index in 0..<16 where buffer[offset + index] != bytes[index] { return false }
        return true
    }

    /// Whether the 16 bytes at `offset` of `buffer` are an empty slot.
    static func isEmpty(_ buffer: [UInt8], at offset: Int) -> Bool {
        for index in 0..<16 where buffer[offset + index] != 0 { return false }
        return true
    }

    private static func append(_ field: String, to hasher: inout SipHash128) {
        var field = field
        field.withUTF8 { text in
            withUnsafeBytes(of: UInt64(text.count).littleEndian) { hasher.append($0) }
            hasher.append(UnsafeRawBufferPointer(text))
        }
    }
}
