import ProviderCore

/// The host and port the client addressed, from a Host header (or what stands in for one).
extension GatewayRequestDecoder {
    /// `host[:port]` split and checked as `RequestURL.splitAuthority` and `isValidHost` do; nil when either refuses it.
    static func authority(_ source: String) -> (host: String, port: Int?)? {
        var source = source
        if let plain = source.withUTF8(plainAuthority) { return plain }
        guard let (host, port) = RequestURL.splitAuthority(source), isValidHost(host) else { return nil }
        return (host, port)
    }

    /// The usual authority in one pass over its bytes: a name of letters, digits, `-`, `.` and `_` (at most 253), then
    /// nothing or `:` and up to five digits that make a port in 1...65535. Nil for anything else, which the general check
    /// then accepts or refuses; whatever this accepts, that check accepts with the same host and port.
    private static func plainAuthority(_ bytes: UnsafeBufferPointer<UInt8>) -> (host: String, port: Int?)? {
        var hostEnd = bytes.count
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: ":") {
                hostEnd = index
                break
            }
            guard PercentEncoding.isUnreserved(byte), byte != UInt8(ascii: "~") else { return nil }
        }
        guard hostEnd > 0, hostEnd <= 253 else { return nil }
        let host = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<hostEnd]), as: UTF8.self)
        guard hostEnd < bytes.count else { return (host, nil) }
        let digits = bytes[(hostEnd + 1)...]
        guard digits.count <= 5 else { return nil }
        var port = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            port = port * 10 + Int(digit - UInt8(ascii: "0"))
        }
        if digits.isEmpty { return (host, nil) }
        guard (1...65535).contains(port) else { return nil }
        return (host, port)
    }
}
