import COpenSSL

/// One-shot message digests through OpenSSL.
public enum Digest {
    /// The digest of `bytes` with the given hash; empty only if OpenSSL fails.
    public static func hash(_ algorithm: HashAlgorithm, _ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: algorithm.digestLength)
        var length: UInt32 = 0
        guard EVP_Digest(bytes, bytes.count, &digest, &length, algorithm.messageDigest, nil) == 1,
              Int(length) == algorithm.digestLength else {
            ERR_clear_error()
            return []
        }
        return digest
    }

    /// The bytes that hexadecimal text (either case) spells, or nil when it is not whole pairs of hex digits.
    public static func bytes(fromHex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = PercentEncoding.hexValue(digits[index]), let low = PercentEncoding.hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// Lowercase hexadecimal text of bytes.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
