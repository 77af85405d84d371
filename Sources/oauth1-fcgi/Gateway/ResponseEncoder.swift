import ProviderCore

/// Writes a response in the CGI form both gateways use: a `Status:` line, headers, a blank line, the body.
enum ResponseEncoder {
    /// - Parameter contentLength: add `Content-Length` when the response has none (not for an Authorizer's 200).
    static func encode(_ response: HTTPResponse, includeBody: Bool = true, contentLength: Bool = true) -> [UInt8] {
        // Built as bytes: CR, LF and `:` are ASCII, so dropping them byte by byte is what dropping the Characters did.
        var output = [UInt8]()
        output.reserveCapacity(256 + (includeBody ? response.body.count : 0))
        output += "Status: ".utf8
        output += String(response.status).utf8
        output.append(UInt8(ascii: " "))
        output += reason(response.status).utf8
        output += "\r\n".utf8
        var hasLength = false
        for field in response.headers {
            let nameStart = output.count
            for byte in field.name.utf8 where byte != 0x0D && byte != 0x0A && byte != UInt8(ascii: ":") { output.append(byte) }
            if !hasLength, isContentLength(output[nameStart...]) { hasLength = true }
            output += ": ".utf8
            for byte in field.value.utf8 where byte != 0x0D && byte != 0x0A { output.append(byte) }
            output += "\r\n".utf8
        }
        if !hasLength, contentLength {
            output += "Content-Length: ".utf8
            output += String(response.body.count).utf8
            output += "\r\n".utf8
        }
        output += "\r\n".utf8
        if includeBody { output += response.body }
        return output
    }

    /// Whether a header name is `Content-Length` in any ASCII case.
    private static func isContentLength(_ name: ArraySlice<UInt8>) -> Bool {
        let expected = "content-length".utf8
        guard name.count == expected.count else { return false }
        return zip(name, expected).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0) == $1 }
    }

    static func reason(_ status: Int) -> String {
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
