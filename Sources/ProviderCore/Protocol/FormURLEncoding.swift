/// The `application/x-www-form-urlencoded` format used by query strings, form bodies and OAuth responses (RFC 5849 sections 3.4.1.3.1 and 2).
public enum FormURLEncoding {
    /// Parses a query string or form body into ordered pairs: `&`-separated, `+` as a space, a missing `=` as an empty value, empty segments skipped.
    public static func parse<S: StringProtocol>(_ text: S) throws(PercentDecodingError) -> [Parameter] {
        let parsed = text.utf8.withContiguousStorageIfAvailable { bytes in
            Result { () throws(PercentDecodingError) -> [Parameter] in try parse(bytes) }
        }
        if let parsed { return try parsed.get() }
        return try Array(text.utf8).withUnsafeBufferPointer { bytes throws(PercentDecodingError) in try parse(bytes) }
    }

    /// Parses form-encoded bytes in place: each name and value is decoded straight from its range.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(PercentDecodingError) -> [Parameter] {
        var parameters = [Parameter]()
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "&") { end += 1 }
            defer { start = end + 1 }
            if end == start { continue }
            let segment = UnsafeBufferPointer(rebasing: bytes[start..<end])
            if let equals = segment.firstIndex(of: UInt8(ascii: "=")) {
                let rawName = UnsafeBufferPointer(rebasing: segment[..<equals])
                let name = try PercentEncoding.decode(rawName, plusIsSpace: true)
                let value = try PercentEncoding.decode(UnsafeBufferPointer(rebasing: segment[(equals + 1)...]), plusIsSpace: true)
                parameters.append(Parameter(name, value))
            } else {
                let name = try PercentEncoding.decode(segment, plusIsSpace: true)
                parameters.append(Parameter(name, ""))
            }
        }
        return parameters
    }

    /// Serializes pairs with RFC 5849 section 3.6 encoding, as the credential responses of sections 2.1 and 2.3 are written.
    public static func serialize(_ parameters: [Parameter]) -> String {
        var output = ""
        for (index, parameter) in parameters.enumerated() {
            if index > 0 { output += "&" }
            output += PercentEncoding.encode(parameter.name)
            output += "="
            output += PercentEncoding.encode(parameter.value)
        }
        return output
    }

    /// Whether a `Content-Type` value names `application/x-www-form-urlencoded`, ignoring case and media-type parameters such as `charset` (RFC 5849 section 3.4.1.3.1).
    public static func isFormMediaType(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        let trimmed = String(decoding: mediaType, as: UTF8.self).trimmingASCIIWhitespace()
        return trimmed.lowercased() == "application/x-www-form-urlencoded"
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    func trimmingASCIIWhitespace() -> String {
        let bytes = Array(utf8)
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
