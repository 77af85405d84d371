import ProviderCore

/// Writes a response in the CGI form both gateways use: a `Status:` line, headers, a blank line, the body.
enum ResponseEncoder {
    static func encode(_ response: HTTPResponse, includeBody: Bool = true, contentLength: Bool = true) -> [UInt8] {
        var head = "Status: \(response.status) \(reason(response.status))\r\n"
        var hasLength = false
        for field in response.headers {
            let name = field.name.filter { $0 != "\r" && $0 != "\n" && $0 != ":" }
            let value = field.value.filter { $0 != "\r" && $0 != "\n" }
            if name.lowercased() == "content-length" { hasLength = true }
            head += "\(name): \(value)\r\n"
        }
        if !hasLength, contentLength { head += "Content-Length: \(response.body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (includeBody ? response.body : [])
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
