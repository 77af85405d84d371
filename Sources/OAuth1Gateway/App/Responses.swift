import ProviderCore

extension HTTPResponse {
    /// Headers every HTML page carries: no framing (X-Frame-Options and CSP frame-ancestors), no sniffing, no caching, no referrer.
    static let pageSecurityHeaders: [(String, String)] = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
    ]

    /// An HTML page with the security headers.
    static func page(_ html: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders(pageSecurityHeaders), body: Array(html.utf8))
    }

    /// The headers of a plain-text sentence.
    private static let textHeaders: HTTPHeaders = [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"),
                                                   ("X-Content-Type-Options", "nosniff")]

    /// The headers of a JSON answer.
    private static let jsonHeaders: HTTPHeaders = [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                                                   ("X-Content-Type-Options", "nosniff")]

    /// A plain-text response carrying one sentence.
    static func text(_ sentence: String, status: Int) -> HTTPResponse {
        var body = Array(sentence.utf8)
        body.append(UInt8(ascii: "\n"))
        return HTTPResponse(status: status, headers: textHeaders, body: body)
    }

    /// A JSON response from already-encoded text.
    static func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: jsonHeaders, body: Array(text.utf8))
    }

    /// A redirect that the browser follows with GET.
    static func seeOther(_ location: String, cookies: [String] = []) -> HTTPResponse {
        var response = HTTPResponse(status: 303, headers: HTTPHeaders(pageSecurityHeaders.filter { $0.0 != "Content-Type" }))
        response.headers.add("Location", location)
        for cookie in cookies { response.headers.add("Set-Cookie", cookie) }
        return response
    }

    /// 405 with the methods the route allows.
    static func methodNotAllowed(_ allowed: [String]) -> HTTPResponse {
        var response = text("This endpoint accepts \(allowed.joined(separator: " and ")) only.", status: 405)
        response.headers.add("Allow", allowed.joined(separator: ", "))
        return response
    }
}

/// JSON text for the few objects the provider returns.
public enum JSON {
    /// A string as a JSON string literal, with `<`, `>` and `&` escaped too (RFC 8259, section 7).
    public static func string(_ value: String) -> String {
        // Printable ASCII with nothing to escape (a username, an id) goes between the quotes as it is.
        let isPlain = value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"): return false
            default: return byte >= 0x20 && byte < 0x7F
            }
        }
        if isPlain { return "\"" + value + "\"" }
        var output = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "<": output += "\\u003c"
            case ">": output += "\\u003e"
            case "&": output += "\\u0026"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    /// An object from ordered key/value pairs whose values are already JSON text.
    public static func object(_ members: [(String, String)]) -> String {
        var object = "{"
        for (index, member) in members.enumerated() {
            if index > 0 { object += ", " }
            object += string(member.0) + ": " + member.1
        }
        return object + "}"
    }
}
