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
            var length: Int?
            // Written in place into exactly the decoded length.
            let decoded = [UInt8](unsafeUninitializedCapacity: input.count / 4 * 3) { output, written in
                length = decode(input, into: output)
                written = length ?? 0
            }
            return length == nil ? nil : decoded
        }
    }

    /// Decodes padded base64 text into temporary storage and hands `body` the bytes, or nil when the text is not strict base64.
    static func withDecoded<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        var text = text
        return text.withUTF8 { input in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: input.count / 4 * 3) { output in
                body(decode(input, into: output).map { UnsafeBufferPointer(rebasing: output[..<$0]) })
            }
        }
    }

    /// Decodes `input` into `output` (at least `input.count / 4 * 3` bytes) and returns the decoded length, or nil when
    /// the input has a wrong length, a byte outside the alphabet, misplaced padding or non-zero trailing bits.
    private static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        guard input.count % 4 == 0 else { return nil }
        // The table is read through one pointer for the whole text.
        return reverse.withUnsafeBufferPointer { table -> Int? in
            var written = 0
            var index = 0
            while index < input.count {
                let isLast = index + 4 == input.count
                var chunk: UInt32 = 0
                var chunkPadding = 0
                for offset in 0..<4 {
                    let byte = input[index + offset]
                    var value: UInt32 = 0
                    if byte == UInt8(ascii: "=") {
                        guard isLast, offset >= 2 else { return nil }
                        chunkPadding += 1
                    } else {
                        guard chunkPadding == 0 else { return nil }
                        let entry = table[Int(byte)]
                        guard entry != 0xFF else { return nil }
                        value = UInt32(entry)
                    }
                    chunk = chunk << 6 | value
                }
                output[written] = UInt8(chunk >> 16 & 0xFF)
                written += 1
                if chunkPadding < 2 {
                    output[written] = UInt8(chunk >> 8 & 0xFF)
                    written += 1
                } else if chunk & 0xFFFF != 0 { return nil }
                if chunkPadding < 1 {
                    output[written] = UInt8(chunk & 0xFF)
                    written += 1
                } else if chunk & 0xFF != 0 { return nil }
                index += 4
            }
            return written
        }
    }
}
