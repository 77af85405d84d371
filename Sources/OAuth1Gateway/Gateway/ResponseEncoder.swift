import ProviderCore

/// Writes a response in the CGI form both gateways use (RFC 3875, section 6): a `Status:` line, header fields, a blank
/// line, the body.
enum ResponseEncoder {
    /// The response as bytes; a header name loses CR, LF and `:`, a value CR and LF, so that no field can end the head or
    /// add a field of its own.
    /// - Parameter contentLength: add `Content-Length` when the response has none (not for an Authorizer's 200).
    static func encode(_ response: HTTPResponse, includeBody: Bool = true, contentLength: Bool = true) -> [UInt8] {
        var head = "Status: \(response.status) \(reason(response.status))\r\n"
        var hasLength = false
        for field in response.headers {
            let name = fieldText(field.name, droppingColons: true)
            if name.lowercased() == "content-length" { hasLength = true }
            head += name + ": " + fieldText(field.value, droppingColons: false) + "\r\n"
        }
        if !hasLength, contentLength {
            head += "Content-Length: \(response.body.count)\r\n"
        }
        head += "\r\n"
        return Array(head.utf8) + (includeBody ? response.body : [])
    }

    /// A header name or value as written: without CR and LF, and in a name without `:`.
    private static func fieldText(_ text: String, droppingColons: Bool) -> String {
        let kept = text.utf8.filter { $0 != 0x0D && $0 != 0x0A && !(droppingColons && $0 == UInt8(ascii: ":")) }
        return String(decoding: kept, as: UTF8.self)
    }

    /// The reason phrase of a status the provider sends (RFC 9110, section 15).
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
