#if canImport(Glibc)
import Glibc
#endif
import ProviderCore

/// The 128-bit fingerprint under which the nonce table stores one (client, token, timestamp, nonce): SipHash-2-4-128
/// keyed with the table's secret salt, over the four values, each prefixed with its length so no two tuples share an
/// input. Equal tuples always give equal fingerprints, so a replay is never missed; two different tuples collide with
/// probability about 2^-127, and then the second request is refused as a replay, which the client answers with a new
/// nonce. Without the salt no one can search for such collisions.
struct NonceFingerprint: Equatable, Sendable {
    /// Never all zero: an all-zero slot is an empty one.
    let bytes: [UInt8]

    init(_ nonce: borrowing TimestampNonce, salt: borrowing [UInt8]) {
        var hasher = SipHash128(k0: salt.littleEndianWord(at: 0), k1: salt.littleEndianWord(at: 8))
        Self.append(nonce.clientIdentifier, to: &hasher)
        Self.append(nonce.token, to: &hasher)
        withUnsafeBytes(of: nonce.timestamp.littleEndian) { hasher.append($0) }
        Self.append(nonce.nonce, to: &hasher)
        let (first, second) = hasher.finalize()
        // The two halves little-endian, the top bit of the last byte set.
        bytes = withUnsafeBytes(of: (first.littleEndian, (second | 1 << 63).littleEndian)) { Array($0) }
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
    func matches(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        precondition(offset >= 0 && offset + 16 <= buffer.count)
        return bytes.withUnsafeBytes { memcmp($0.baseAddress!, buffer.baseAddress! + offset, 16) == 0 }
    }

    /// Whether the 16 bytes at `offset` of `buffer` are an empty slot.
    static func isEmpty(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        precondition(offset >= 0 && offset + 16 <= buffer.count)
        return buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self) | buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self) == 0
    }

    private static func append(_ field: String, to hasher: inout SipHash128) {
        withUnsafeBytes(of: UInt64(field.utf8.count).littleEndian) { hasher.append($0) }
        if field.utf8.withContiguousStorageIfAvailable({ hasher.append(UnsafeRawBufferPointer($0)) }) == nil {
            Array(field.utf8).withUnsafeBytes { hasher.append($0) }
        }
    }
}
