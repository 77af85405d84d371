/// Comparison whose running time does not depend on where two secrets differ (RFC 5849 section 3.2 verifies signatures; a timing leak would reveal them byte by byte).
public enum ConstantTime {
    /// Whether two byte sequences are equal, examining every byte of the longer one whatever the contents.
    public static func equals<A: Collection, B: Collection>(_ lhs: A, _ rhs: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        let left = Array(lhs)
        let right = Array(rhs)
        let length = max(left.count, right.count)
        var difference = UInt64(truncatingIfNeeded: left.count ^ right.count)
        var index = 0
        while index < length {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= UInt64(a ^ b)
            index += 1
        }
        return difference == 0
    }

    /// Whether two strings have equal UTF-8 bytes, compared in constant time.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
