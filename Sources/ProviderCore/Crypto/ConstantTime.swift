/// Comparison whose running time does not depend on where two secrets differ (RFC 5849 section 3.2 verifies signatures; a timing leak would reveal them byte by byte).
public enum ConstantTime {
    /// Whether two byte sequences are equal, examining every byte of the longer one whatever the contents.
    public static func equals<A: Collection, B: Collection>(_ lhs: A, _ rhs: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        let left = Array(lhs)
        let right = Array(rhs)
        return left.withUnsafeBytes { left in right.withUnsafeBytes { right in equals(left, right) } }
    }

    /// Whether two byte buffers are equal, examining every byte of the longer one whatever the contents.
    static func equals(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        let common = min(left.count, right.count)
        let longer = left.count > right.count ? left : right
        var difference = UInt64(truncatingIfNeeded: left.count ^ right.count)
        // Two loops without a branch on the data: the shared bytes, then the longer one's rest against zero.
        for index in 0..<common { difference |= UInt64(left[index] ^ right[index]) }
        for index in common..<longer.count { difference |= UInt64(longer[index]) }
        return difference == 0
    }

    /// Whether two strings have equal UTF-8 bytes, compared in constant time.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
