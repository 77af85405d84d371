/// One PEM block (RFC 7468): its label, such as `PUBLIC KEY`, and the DER bytes inside.
public struct PEMBlock: Sendable, Equatable {
    /// The label between `-----BEGIN ` and `-----`.
    public var label: String
    /// The base64-decoded contents.
    public var der: [UInt8]

    /// The first PEM block in a text, nil when there is none or its base64 is broken; text around the block (such as OpenSSL's certificate dump) is ignored.
    public static func first(in text: String) -> PEMBlock? {
        var label: String?
        var body = ""
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingASCIIWhitespace()
            if let current = label {
                if line == "-----END \(current)-----" {
                    guard let der = Base64.decode(body), !der.isEmpty else { return nil }
                    return PEMBlock(label: current, der: der)
                }
                if line.hasPrefix("-----") { return nil }
                if line.contains(":") { continue }
                body += line
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.utf8.count > 16 {
                label = String(line.dropFirst(11).dropLast(5))
            }
        }
        return nil
    }
}
