/// The nonce table's files and keys hold integers as 8 little-endian bytes.
extension Array where Element == UInt8 {
    /// The 8 bytes at `offset` read as a little-endian integer.
    func littleEndianWord(at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<8).reversed() {
            value = value << 8 | UInt64(self[offset + index])
        }
        return value
    }

    /// The 8 little-endian bytes of `value`.
    static func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { index in UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    /// The 8 little-endian bytes of `value` in two's complement.
    static func littleEndian(_ value: Int64) -> [UInt8] {
        littleEndian(UInt64(bitPattern: value))
    }
}
