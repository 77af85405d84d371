extension SignatureBaseString {
    /// The normalized parameter string of RFC 5849 section 3.4.1.3.2: every name and value encoded (section 3.6), the
    /// pairs sorted by name, then by value, in byte order, each joined by `=` and the pairs by `&`.
    public static func normalizedParameters(_ parameters: [Parameter]) -> String {
        // Encoded text is ASCII, so String order is byte order.
        parameters
            .map { (name: PercentEncoding.encode($0.name), value: PercentEncoding.encode($0.value)) }
            .sorted { ($0.name, $0.value) < ($1.name, $1.value) }
            .map { $0.name + "=" + $0.value }
            .joined(separator: "&")
    }
}
