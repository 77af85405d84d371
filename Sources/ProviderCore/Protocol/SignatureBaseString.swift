/// The signature base string of RFC 5849 section 3.4.1: method, base string URI and normalized parameters, each encoded and joined with `&`.
public enum SignatureBaseString {
    /// Builds the base string from the method, the URL the client used and the signed parameters (RFC 5849 section 3.4.1.1).
    public static func make(method: String, url: RequestURL, parameters: [Parameter]) -> String {
        var output = PercentEncoding.encode(method.uppercased())
        output += "&"
        output += PercentEncoding.encode(baseStringURI(url))
        output += "&"
        output += PercentEncoding.encode(normalizedParameters(parameters))
        return output
    }

    /// Builds the base string of a request from its collected parameters (RFC 5849 section 3.4.1).
    public static func make(request: HTTPRequest, parameters: RequestParameters) -> String {
        make(method: request.method, url: request.url, parameters: parameters.signedParameters)
    }

    /// The base string URI of RFC 5849 section 3.4.1.2: lowercase scheme and host, the port only when not the scheme's default, the path as sent, no query.
    public static func baseStringURI(_ url: RequestURL) -> String {
        let scheme = url.scheme.lowercased()
        var output = scheme + "://" + url.host.lowercased()
        if let port = url.port, port != RequestURL.defaultPort(forScheme: scheme) {
            output += ":\(port)"
        }
        output += url.rawPath.isEmpty ? "/" : url.rawPath
        return output
    }

    /// The normalized parameter string of RFC 5849 section 3.4.1.3.2: names and values encoded, sorted by name then value, joined by `=` and `&`.
    public static func normalizedParameters(_ parameters: [Parameter]) -> String {
        let encoded = parameters.map { (name: Array(PercentEncoding.encode($0.name).utf8), value: Array(PercentEncoding.encode($0.value).utf8)) }
        let sorted = encoded.sorted { lhs, rhs in
            if lhs.name != rhs.name { return lhs.name.lexicographicallyPrecedes(rhs.name) }
            return lhs.value.lexicographicallyPrecedes(rhs.value)
        }
        var output = [UInt8]()
        output.reserveCapacity(sorted.reduce(0) { $0 + $1.name.count + $1.value.count + 2 })
        for (index, pair) in sorted.enumerated() {
            if index > 0 { output.append(UInt8(ascii: "&")) }
            output += pair.name
            output.append(UInt8(ascii: "="))
            output += pair.value
        }
        return String(decoding: output, as: UTF8.self)
    }
}
