import COpenSSL

/// Standard base64 (RFC 4648 section 4) with padding, as `oauth_signature` carries HMAC and RSA signatures (RFC 5849 sections 3.4.2 and 3.4.3).
public enum Base64 {
    /// Encodes bytes as padded base64 text.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let input = Array(bytes)
        guard let inputLength = Int32(exactly: input.count) else { return "" }
        // Four characters for every three bytes or part of three, and the NUL that OpenSSL writes after them.
        var text = [UInt8](repeating: 0, count: (input.count + 2) / 3 * 4 + 1)
        let length = EVP_EncodeBlock(&text, input, inputLength)
        return String(decoding: text.prefix(Int(length)), as: UTF8.self)
    }

    /// Decodes padded base64 text strictly: nil for a wrong length, a byte outside the alphabet, misplaced padding or
    /// non-zero trailing bits, that is, for any text that is not exactly how `encode` writes the bytes it stands for.
    public static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0, let inputLength = Int32(exactly: input.count) else { return nil }
        // EVP_DecodeBlock writes three bytes for every four characters, padding included, and forgives whitespace
        // around the text; the padding's bytes are cut off here and the rest of the strictness is the comparison below.
        var decoded = [UInt8](repeating: 0, count: input.count / 4 * 3)
        let length = Int(EVP_DecodeBlock(&decoded, input, inputLength))
        let padding = input.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard length >= padding, padding <= 2 else { return nil }
        let bytes = Array(decoded.prefix(length - padding))
        return encode(bytes) == text ? bytes : nil
    }
}
