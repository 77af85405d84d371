#if canImport(Glibc)
import Glibc
#endif

/// The signature base string of RFC 5849 section 3.4.1: method, base string URI and normalized parameters, each encoded and joined with `&`.
public enum SignatureBaseString {
    /// Builds the base string from the method, the URL the client used and the signed parameters (RFC 5849 section 3.4.1.1).
    public static func make(method: String, url: RequestURL, parameters: [Parameter]) -> String {
        NormalizedParameters.with(parameters) { make(method: method, url: url, normalized: $0) }
    }

    /// Builds the base string of a request from its collected parameters (RFC 5849 section 3.4.1).
    public static func make(request: HTTPRequest, parameters: RequestParameters) -> String {
        NormalizedParameters.with(parameters) { make(method: request.method, url: request.url, normalized: $0) }
    }

    /// Writes the three parts straight into the string's own storage, each encoded once (RFC 5849 section 3.4.1.1).
    /// Joining encoded strings instead cost a protected request about a quarter of its instructions (bench/README.md,
    /// "The readable core"); `Tests/ProviderCoreTests/BaseStringReferenceTests.swift` holds it to the plain reading.
    private static func make(method: String, url: RequestURL, normalized: NormalizedParameters) -> String {
        // ASCII text (any real method, scheme and host) changes case byte by byte while it is written; other text the Unicode way first.
        let methodIsASCII = method.containsOnlyASCII, schemeIsASCII = url.scheme.containsOnlyASCII, hostIsASCII = url.host.containsOnlyASCII
        var method = methodIsASCII ? method : method.uppercased()
        var scheme = schemeIsASCII ? url.scheme : url.scheme.lowercased()
        var host = hostIsASCII ? url.host : url.host.lowercased()
        var path = url.rawPath.isEmpty ? "/" : url.rawPath
        var port = ""
        if let number = url.port, number != RequestURL.defaultPort(forScheme: url.scheme) { port = ":" + String(number) }
        // Every byte may become three, and the normalized string is encoded twice.
        let capacity = 3 * (method.utf8.count + scheme.utf8.count + 3 + host.utf8.count + port.utf8.count + path.utf8.count)
            + 3 * normalized.count + 2
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var output = PercentEncodingWriter(buffer)
            method.withUTF8 { output.writeEncoded($0, uppercasingASCII: methodIsASCII) }
            output.write(UInt8(ascii: "&"))
            scheme.withUTF8 { output.writeEncoded($0, lowercasingASCII: schemeIsASCII) }
            output.writeEncoded(StaticString("://"))
            host.withUTF8 { output.writeEncoded($0, lowercasingASCII: hostIsASCII) }
            port.withUTF8 { output.writeEncoded($0) }
            path.withUTF8 { output.writeEncoded($0) }
            output.write(UInt8(ascii: "&"))
            normalized.write(to: &output, encoded: true)
            return output.count
        }
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

    /// The normalized parameter string of RFC 5849 section 3.4.1.3.2: every name and value encoded (section 3.6), the
    /// pairs sorted by name, then by value, in byte order, each joined by `=` and the pairs by `&`.
    public static func normalizedParameters(_ parameters: [Parameter]) -> String {
        NormalizedParameters.with(parameters) { normalized in
            String(unsafeUninitializedCapacity: normalized.count) { buffer in
                var output = PercentEncodingWriter(buffer)
                normalized.write(to: &output, encoded: false)
                return output.count
            }
        }
    }
}
