import COpenSSL

/// One-shot message digests through OpenSSL.
public enum Digest {
    /// The digest of `bytes` with the given hash.
    public static func hash(_ algorithm: HashAlgorithm, _ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        _ = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer in
                EVP_Digest(input.baseAddress, input.count, buffer.baseAddress, &length, algorithm.evp, nil)
            }
        }
        return Array(output.prefix(Int(length)))
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
