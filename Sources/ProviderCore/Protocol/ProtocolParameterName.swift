#if canImport(Glibc)
import Glibc
#endif

/// Protocol parameter names (RFC 5849 section 3.1) kept as string constants: a parsed name that spells one is handed out
/// as the constant instead of a new string. Only names longer than 15 bytes are listed: shorter ones are stored inline
/// in a `String` and never allocated anyway.
enum ProtocolParameterName {
    static let long: [String] = ["oauth_consumer_key", "oauth_signature_method"]

    /// The constant for a raw (still percent-encoded) name when its bytes spell one of the long names, else nil.
    static func interned(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count > 15, bytes[0] == UInt8(ascii: "o") else { return nil }
        for name in long where name.utf8.count == bytes.count {
            let equal = name.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
            if equal == true { return name }
        }
        return nil
    }
}

extension PercentEncoding {
    /// Decodes a parameter name (RFC 5849 section 3.6), handing out the constant when it spells a long protocol name.
    static func decodeName(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) throws(PercentDecodingError) -> String {
        if let name = ProtocolParameterName.interned(bytes) { return name }
        return try decode(bytes, plusIsSpace: plusIsSpace)
    }
}
