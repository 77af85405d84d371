#if canImport(Glibc)
import Glibc
#endif

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

    /// The normalized parameter string as UTF-8 bytes. Every name and value is encoded into one buffer; the pairs are
    /// sorted as ranges of it, byte-wise (RFC 5849 section 3.4.1.3.2 sorts by name, then value, in byte order).
    static func normalizedParameterBytes(_ parameters: [Parameter]) -> [UInt8] {
        var encoded = [UInt8]()
        encoded.reserveCapacity(parameters.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count } * 3 / 2 + 16)
        var pairs = [(name: Range<Int>, value: Range<Int>)]()
        pairs.reserveCapacity(parameters.count)
        for parameter in parameters {
            let nameStart = encoded.count
            PercentEncoding.appendEncoded(parameter.name, to: &encoded)
            let valueStart = encoded.count
            PercentEncoding.appendEncoded(parameter.value, to: &encoded)
            pairs.append((nameStart..<valueStart, valueStart..<encoded.count))
        }
        var output = [UInt8]()
        output.reserveCapacity(encoded.count + 2 * pairs.count)
        encoded.withUnsafeBufferPointer { bytes in
            func precedes(_ lhs: Range<Int>, _ rhs: Range<Int>) -> Bool? {
                let left = UnsafeBufferPointer(rebasing: bytes[lhs])
                let right = UnsafeBufferPointer(rebasing: bytes[rhs])
                let common = min(left.count, right.count)
                if common > 0 {
                    let order = memcmp(left.baseAddress!, right.baseAddress!, common)
                    if order != 0 { return order < 0 }
                }
                return left.count == right.count ? nil : left.count < right.count
            }
            pairs.sort { lhs, rhs in
                precedes(lhs.name, rhs.name) ?? precedes(lhs.value, rhs.value) ?? false
            }
            for (index, pair) in pairs.enumerated() {
                if index > 0 { output.append(UInt8(ascii: "&")) }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pair.name]))
                output.append(UInt8(ascii: "="))
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pair.value]))
            }
        }
        return output
    }
}
