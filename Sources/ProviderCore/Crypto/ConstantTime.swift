import COpenSSL

/// Comparison whose running time does not depend on where two secrets differ (RFC 5849 section 3.2 verifies signatures; a timing leak would reveal them byte by byte).
public enum ConstantTime {
    /// Whether two byte sequences are equal; the time taken depends on their lengths only, never on their contents.
    public static func equals<A: Collection, B: Collection>(_ lhs: A, _ rhs: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        let left = Array(lhs)
        let right = Array(rhs)
        guard left.count == right.count else { return false }
        return CRYPTO_memcmp(left, right, left.count) == 0
    }

    /// Whether two strings have equal UTF-8 bytes, compared in constant time.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
