/// Standard base64 (RFC 4648 section 4) with padding, as `oauth_signature` carries HMAC and RSA signatures (RFC 5849 sections 3.4.2 and 3.4.3).
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Encodes bytes as padded base64 text.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let input = Array(bytes)
        var output = [UInt8]()
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            output.append(alphabet[Int(chunk & 63)])
            index += 3
        }
        let remaining = input.count - index
        if remaining > 0 {
            var chunk = UInt32(input[index]) << 16
            if remaining == 2 { chunk |= UInt32(input[index + 1]) << 8 }
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(remaining == 2 ? alphabet[Int(chunk >> 6 & 63)] : UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes padded base64 text strictly: nil for a wrong length, a byte outside the alphabet, misplaced padding or non-zero trailing bits.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { input -> [UInt8]? in
            guard input.count % 4 == 0 else { return nil }
            var output = [UInt8]()
            output.reserveCapacity(input.count / 4 * 3)
            var index = 0
            while index < input.count {
                let isLast = index + 4 == input.count
                var chunk: UInt32 = 0
                var padding = 0
                for offset in 0..<4 {
                    let byte = input[index + offset]
                    var value: UInt32 = 0
                    if byte == UInt8(ascii: "=") {
                        guard isLast, offset >= 2 else { return nil }
                        padding += 1
                    } else {
                        guard padding == 0 else { return nil }
                        let decoded = reverse[Int(byte)]
                        guard decoded != 0xFF else { return nil }
                        value = UInt32(decoded)
                    }
                    chunk = chunk << 6 | value
                }
                output.append(UInt8(chunk >> 16 & 0xFF))
                if padding < 2 { output.append(UInt8(chunk >> 8 & 0xFF)) } else if chunk & 0xFFFF != 0 { return nil }
                if padding < 1 { output.append(UInt8(chunk & 0xFF)) } else if chunk & 0xFF != 0 { return nil }
                index += 4
            }
            return output
        }
    }
}
