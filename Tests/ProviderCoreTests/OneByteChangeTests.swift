import ProviderCore
import Testing

/// A valid signed request with any one meaningful byte changed (method, scheme, host, port, path, query, body,
/// any header) is refused; the unchanged request is then accepted.
@Suite struct OneByteChangeTests {
    /// The next letter or digit, same class; nil for structural bytes such as `%`, `=`, `&`, quotes and spaces.
    static func changed(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "a")..<UInt8(ascii: "z"), UInt8(ascii: "A")..<UInt8(ascii: "Z"), UInt8(ascii: "0")..<UInt8(ascii: "9"):
            return byte + 1
        case UInt8(ascii: "z"): return UInt8(ascii: "a")
        case UInt8(ascii: "Z"): return UInt8(ascii: "A")
        case UInt8(ascii: "9"): return UInt8(ascii: "0")
        default: return nil
        }
    }

    static func variants(of text: String) -> [String] {
        let bytes = Array(text.utf8)
        return bytes.indices.compactMap { index in
            guard let replacement = changed(bytes[index]) else { return nil }
            var copy = bytes
            copy[index] = replacement
            return String(decoding: copy, as: UTF8.self)
        }
    }

    @Test func everyChangedByteIsRefused() throws {
        let provider = TestProvider()
        let token = try provider.completeFlow()
        let original = TestClient().sign("POST", "https://api.example.com:8443/v1/photos%20x/upload?album=Summer%2B2024&tag=sea+sun",
                                         token: token.token, tokenSecret: token.secret,
                                         parameters: [Parameter("title", "Day 1 ~ beach"), Parameter("tag", "sea")],
                                         timestamp: provider.clock.now(), nonce: "changed-byte-nonce")

        var mutants = [(String, HTTPRequest)]()
        for method in Self.variants(of: original.method) { var copy = original; copy.method = method; mutants.append(("method", copy)) }
        for scheme in Self.variants(of: original.url.scheme) { var copy = original; copy.url.scheme = scheme; mutants.append(("scheme", copy)) }
        for host in Self.variants(of: original.url.host) { var copy = original; copy.url.host = host; mutants.append(("host", copy)) }
        for port in [8442, 8444, 443] { var copy = original; copy.url.port = port; mutants.append(("port", copy)) }
        for path in Self.variants(of: original.url.rawPath) { var copy = original; copy.url.rawPath = path; mutants.append(("path", copy)) }
        for query in Self.variants(of: original.url.rawQuery ?? "") { var copy = original; copy.url.rawQuery = query; mutants.append(("query", copy)) }
        for body in Self.variants(of: String(decoding: original.body, as: UTF8.self)) {
            var copy = original; copy.body = Array(body.utf8); mutants.append(("body", copy))
        }
        for field in original.headers {
            for value in Self.variants(of: field.value) {
                var copy = original; copy.headers.set(field.name, value); mutants.append(("\(field.name)", copy))
            }
        }
        #expect(mutants.count > 300)
        for (part, mutant) in mutants {
            if let accepted = try? provider.protector.validateRequest(mutant) {
                Issue.record("a change in the \(part) was accepted for \(accepted.client.identifier): \(mutant.headers["Authorization"] ?? "")")
            }
        }
        #expect(try provider.protector.validateRequest(original).userID == "user-1")
    }
}
