import Foundation
import Testing

/// A minimal browser for the end-to-end tests: it keeps the session cookie, sends forms, and reads hidden fields.
final class Browser {
    let port: Int
    private(set) var cookie: String?

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

    private var cookieLine: String { cookie.map { "Cookie: oauth1_session=\($0)\r\n" } ?? "" }

    private func send(_ request: String) throws -> Page {
        let (status, text) = try HTTP.raw(port: port, Array(request.utf8))
        if let match = text.firstMatch(of: /\r\nSet-Cookie: oauth1_session=([^;\r\n]*)/) {
            cookie = match.1.isEmpty ? nil : String(match.1)
        }
        return Page(status: status, text: text)
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
