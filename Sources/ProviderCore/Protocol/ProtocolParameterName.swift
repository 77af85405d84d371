#if canImport(Glibc)
import Glibc
#endif

/// Protocol parameter names (RFC 5849 section 3.1) kept as string constants: a parsed name that spells one the provider
/// reads is handed out as the constant instead of a new string.
enum ProtocolParameterName {
    /// The constant for a raw (still percent-encoded) name when its bytes spell a known protocol parameter, else nil: a
    /// name without `%` decodes to its own bytes, so the constant is the decoded name.
    static func interned(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count > 10, bytes[0] == UInt8(ascii: "o") else { return nil }
        return KnownProtocolParameter(bytes)?.name
    }
}

extension PercentEncoding {
    /// Decodes a parameter name (RFC 5849 section 3.6), handing out the constant when it spells a long protocol name.
    static func decodeName(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        if let name = ProtocolParameterName.interned(bytes) { return name }
        return try decode(bytes, plusIsSpace: plusIsSpace)
    }
}
