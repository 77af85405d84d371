import ProviderCore

/// Writes a response in the CGI form both gateways use: a `Status:` line, headers, a blank line, the body.
enum ResponseEncoder {
    /// - Parameter contentLength: add `Content-Length` when the response has none (not for an Authorizer's 200).
    static func encode(_ response: HTTPResponse, includeBody: Bool = true, contentLength: Bool = true) -> [UInt8] {
        var output = [UInt8]()
        encode(response, includeBody: includeBody, contentLength: contentLength, into: &output)
        return output
    }

    /// Writes the response over what `output` held, keeping its capacity: a FastCGI worker reuses one buffer.
    static func encode(_ response: HTTPResponse, includeBody: Bool = true, contentLength: Bool = true, into output: inout [UInt8]) {
        // Built as bytes: CR, LF and `:` are ASCII, so dropping them byte by byte is what dropping the Characters did.
        output.removeAll(keepingCapacity: true)
        output.reserveCapacity(256 + (includeBody ? response.body.count : 0))
        output.append(literal: "Status: ")
        output.appendDecimal(response.status)
        output.append(UInt8(ascii: " "))
        output.append(literal: reason(response.status))
        output.append(literal: "\r\n")
        var hasLength = false
        for field in response.headers {
            let nameStart = output.count
            append(field.name, droppingColons: true, to: &output)
            if !hasLength, isContentLength(output[nameStart...]) { hasLength = true }
            output.append(literal: ": ")
            append(field.value, droppingColons: false, to: &output)
            output.append(literal: "\r\n")
        }
        if !hasLength, contentLength {
            output.append(literal: "Content-Length: ")
            output.appendDecimal(response.body.count)
            output.append(literal: "\r\n")
        }
        output.append(literal: "\r\n")
        if includeBody { output += response.body }
    }

    /// Appends a header name or value without CR and LF (and without `:` in a name): whole when it has none of them.
    private static func append(_ text: String, droppingColons: Bool, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            if let first = firstDropped(bytes, droppingColons: droppingColons) {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<first]))
                for byte in bytes[first...] where !isDropped(byte, droppingColons: droppingColons) { output.append(byte) }
            } else {
                output.append(contentsOf: bytes)
            }
        }
    }

    /// Where the first byte to drop is, if any: one comparison for each byte above `:`, which is every letter.
    private static func firstDropped(_ bytes: UnsafeBufferPointer<UInt8>, droppingColons: Bool) -> Int? {
        for index in bytes.indices where bytes[index] <= UInt8(ascii: ":") && isDropped(bytes[index], droppingColons: droppingColons) {
            return index
        }
        return nil
    }

    /// CR, LF, and in a name `:`.
    private static func isDropped(_ byte: UInt8, droppingColons: Bool) -> Bool {
        byte == 0x0D || byte == 0x0A || (droppingColons && byte == UInt8(ascii: ":"))
    }

    /// Whether a header name is `Content-Length` in any ASCII case.
    private static func isContentLength(_ name: ArraySlice<UInt8>) -> Bool {
        let expected = "content-length".utf8
        guard name.count == expected.count else { return false }
        return zip(name, expected).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0) == $1 }
    }

    static func reason(_ status: Int) -> StaticString {
        switch status {
        case 200: return "OK"
        case 204: return "No Content"
        case 302: return "Found"
        case 303: return "See Other"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Content Too Large"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
