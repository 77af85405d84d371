/// The `application/x-www-form-urlencoded` format used by query strings, form bodies and OAuth responses (RFC 5849 sections 3.4.1.3.1 and 2).
public enum FormURLEncoding {
    /// Parses a query string or form body into ordered pairs: `&`-separated, `+` as a space, a missing `=` as an empty value, empty segments skipped.
    public static func parse<S: StringProtocol>(_ text: S) throws(PercentDecodingError) -> [Parameter] {
        var parameters = [Parameter]()
        for pair in text.utf8.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try PercentEncoding.decode(bytes: parts[0], plusIsSpace: true)
            let value = parts.count == 2 ? try PercentEncoding.decode(bytes: parts[1], plusIsSpace: true) : ""
            parameters.append(Parameter(name, value))
        }
        return parameters
    }

    /// Serializes pairs with RFC 5849 section 3.6 encoding, as the credential responses of sections 2.1 and 2.3 are written.
    public static func serialize(_ parameters: [Parameter]) -> String {
        parameters.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }.joined(separator: "&")
    }

    /// Whether a `Content-Type` value names `application/x-www-form-urlencoded`, ignoring case and media-type parameters such as `charset` (RFC 5849 section 3.4.1.3.1).
    public static func isFormMediaType(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        return String(decoding: mediaType, as: UTF8.self).trimmingASCIIWhitespace().lowercased() == "application/x-www-form-urlencoded"
    }
}
