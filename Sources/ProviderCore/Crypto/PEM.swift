import COpenSSL

/// One PEM block (RFC 7468): its label, such as `PUBLIC KEY`, and the DER bytes inside.
public struct PEMBlock: Sendable, Equatable {
    /// The label between `-----BEGIN ` and `-----`.
    public var label: String
    /// The base64-decoded contents.
    public var der: [UInt8]

    /// The first PEM block in a text, nil when there is none or its base64 is broken; text around the block (such as OpenSSL's certificate dump) is ignored.
    public static func first(in text: String) -> PEMBlock? {
        // OpenSSL's reader wants `-----BEGIN` at the start of a line and lines ended by "\n"; pasted keys may be
        // indented or end their lines in "\r" alone, so each line is trimmed of spaces and tabs and ended by "\n".
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(trimmingSpacesAndTabs)
        let normalized = Array((lines.joined(separator: "\n") + "\n").utf8)
        guard let normalizedLength = Int32(exactly: normalized.count) else { return nil }
        return normalized.withUnsafeBytes { buffer -> PEMBlock? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, normalizedLength) else { return nil }
            defer { BIO_free(bio) }
            var label: UnsafeMutablePointer<CChar>?
            var headers: UnsafeMutablePointer<CChar>?
            var der: UnsafeMutablePointer<UInt8>?
            var length = 0
            let read = PEM_read_bio(bio, &label, &headers, &der, &length)
            defer {
                CRYPTO_free(label, #fileID, #line)
                CRYPTO_free(headers, #fileID, #line)
                CRYPTO_free(der, #fileID, #line)
            }
            ERR_clear_error()
            guard read == 1, let label, let der, length > 0 else { return nil }
            return PEMBlock(label: String(cString: label), der: Array(UnsafeBufferPointer(start: der, count: length)))
        }
    }

    /// A line without the spaces and tabs around it.
    private static func trimmingSpacesAndTabs(_ line: Substring) -> Substring {
        let isBlank = { (character: Character) in character == " " || character == "\t" }
        guard let first = line.firstIndex(where: { !isBlank($0) }), let last = line.lastIndex(where: { !isBlank($0) }) else { return "" }
        return line[first...last]
    }
}
