/// The signature base string of RFC 5849 section 3.4.1: method, base string URI and normalized parameters, each encoded and joined with `&`.
public enum SignatureBaseString {
    /// Builds the base string from the method, the URL the client used and the signed parameters (RFC 5849 section 3.4.1.1).
    public static func make(method: String, url: RequestURL, parameters: [Parameter]) -> String {
        // Built as bytes: each part is encoded once, straight into the output.
        let normalized = normalizedParameterBytes(parameters)
        var output = [UInt8]()
        output.reserveCapacity(normalized.count * 3 / 2 + 64)
        PercentEncoding.appendEncoded(method.uppercased(), to: &output)
        output.append(UInt8(ascii: "&"))
        PercentEncoding.appendEncoded(baseStringURI(url), to: &output)
        output.append(UInt8(ascii: "&"))
        PercentEncoding.appendEncoded(normalized, to: &output)
        return String(decoding: output, as: UTF8.self)
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
        String(decoding: normalizedParameterBytes(parameters), as: UTF8.self)
    }

    /// The normalized parameter string as UTF-8 bytes.
    static func normalizedParameterBytes(_ parameters: [Parameter]) -> [UInt8] {
        var encoded = [(name: [UInt8], value: [UInt8])]()
        encoded.reserveCapacity(parameters.count)
        var total = 0
        for parameter in parameters {
            var name = [UInt8]()
            var value = [UInt8]()
            name.reserveCapacity(parameter.name.utf8.count)
            value.reserveCapacity(parameter.value.utf8.count)
            PercentEncoding.appendEncoded(parameter.name, to: &name)
            PercentEncoding.appendEncoded(parameter.value, to: &value)
            total += name.count + value.count + 2
            encoded.append((name, value))
        }
        encoded.sort { lhs, rhs in
            if lhs.name != rhs.name { return lhs.name.lexicographicallyPrecedes(rhs.name) }
            return lhs.value.lexicographicallyPrecedes(rhs.value)
        }
        var output = [UInt8]()
        output.reserveCapacity(total)
        for (index, pair) in encoded.enumerated() {
            if index > 0 { output.append(UInt8(ascii: "&")) }
            output += pair.name
            output.append(UInt8(ascii: "="))
            output += pair.value
        }
        return output
    }
}
