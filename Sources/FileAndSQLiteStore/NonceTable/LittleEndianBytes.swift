/// The nonce table's files and keys hold integers as 8 little-endian bytes.
extension Array where Element == UInt8 {
    /// The 8 bytes at `offset` read as a little-endian integer.
    func littleEndianWord(at offset: Int) -> UInt64 {
        withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }

    /// The 8 little-endian bytes of `value`.
    static func littleEndian(_ value: Int64) -> [UInt8] {
        Swift.withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
