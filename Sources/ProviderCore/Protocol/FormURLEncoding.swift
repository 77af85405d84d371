/// The `application/x-www-form-urlencoded` format used by query strings, form bodies and OAuth responses (RFC 5849 sections 3.4.1.3.1 and 2).
public enum FormURLEncoding {
    /// Parses a query string or form body into ordered pairs: `&`-separated, `+` as a space, a missing `=` as an empty value, empty segments skipped.
    public static func parse<S: StringProtocol>(_ text: S) throws(PercentDecodingError) -> [Parameter] {
        var parameters = [Parameter]()
        for segment in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: String
            let value: String
            if let equals = segment.firstIndex(of: UInt8(ascii: "=")) {
                var nameBytes = Array(segment[segment.startIndex..<equals])
                var valueBytes = Array(segment[segment.index(after: equals)...])
                name = try PercentEncoding.decode(bytes: &nameBytes, plusIsSpace: true)
                value = try PercentEncoding.decode(bytes: &valueBytes, plusIsSpace: true)
            } else {
                var nameBytes = Array(segment)
                name = try PercentEncoding.decode(bytes: &nameBytes, plusIsSpace: true)
                value = ""
            }
            parameters.append(Parameter(name, value))
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
