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

    /// A plain-text response carrying one sentence.
    static func text(_ sentence: String, status: Int) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"),
                                               ("X-Content-Type-Options", "nosniff")],
                     body: Array((sentence + "\n").utf8))
    }

    /// A JSON response from already-encoded text.
    static func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                                               ("X-Content-Type-Options", "nosniff")],
                     body: Array(text.utf8))
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
enum JSON {
    static func string(_ value: String) -> String {
        var value = value
        // Printable ASCII with nothing to escape (a username, an id) is quoted as it is.
        let plain = value.withUTF8 { bytes in
            bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\")
                && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "&") }
        }
        if plain { return "\"" + value + "\"" }
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
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }
}
