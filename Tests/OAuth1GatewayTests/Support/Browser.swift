import Foundation
import Testing

/// A minimal browser for the end-to-end tests: it keeps the provider's cookies (the session's and the sign-in form's), sends
/// forms, and reads hidden fields.
final class Browser {
    let port: Int
    /// The cookies set and not deleted, in the order they came.
    private(set) var cookies: [(name: String, value: String)] = []
    /// The session cookie's value.
    var cookie: String? { cookies.first { $0.name == "oauth1_session" }?.value }

    init(port: Int) { self.port = port }

    struct Page {
        let status: Int
        let text: String
        var location: String? { text.firstMatch(of: /\r\nLocation: ([^\r\n]+)/).map { String($0.1) } }
        func field(_ name: String) -> String? {
            text.firstMatch(of: try! Regex("name=\"\(name)\" value=\"([^\"]*)\"")).flatMap { $0.output[1].substring.map(String.init) }
        }
    }

    func get(_ target: String) throws -> Page {
        try send("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\(cookieLine)Connection: close\r\n\r\n")
    }

    func post(_ target: String, _ fields: [(String, String)]) throws -> Page {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try send("POST \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\(cookieLine)Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    }

    /// Signs in through the real form.
    func signIn(_ username: String, _ password: String, mount: String = "/oauth") throws {
        let form = try get(mount + "/login")
        let page = try post(mount + "/login", [("csrf_token", form.field("csrf_token") ?? ""), ("username", username),
                                               ("password", password), ("next", mount + "/")])
        #expect(page.status == 303, "sign-in: \(page.text.prefix(300))")
    }

    private var cookieLine: String {
        cookies.isEmpty ? "" : "Cookie: " + cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") + "\r\n"
    }

    private func send(_ request: String) throws -> Page {
        let (status, text) = try HTTP.raw(port: port, Array(request.utf8))
        for match in text.matches(of: /\r\nSet-Cookie: ([^=\r\n]+)=([^;\r\n]*)/) {
            cookies.removeAll { $0.name == String(match.1) }
            if !match.2.isEmpty { cookies.append((String(match.1), String(match.2))) }
        }
        return Page(status: status, text: text)
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
