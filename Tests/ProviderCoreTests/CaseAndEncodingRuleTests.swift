import ProviderCore
import Testing

/// Case-insensitive names and the encoding rules on tricky input: non-ASCII case mapping, backslash escapes, encoded text
/// encoded again, and the timestamp's digits.
@Suite struct CaseAndEncodingRuleTests {
    typealias SeededGenerator = PropertyTests.SeededGenerator

    /// Bytes drawn mostly from the characters that matter to the rules: `%`, `+`, NUL, high bytes, letters, quotes.
    static func randomBytes(_ generator: inout SeededGenerator, maxLength: Int) -> [UInt8] {
        let interesting: [UInt8] = [0x00, 0x25, 0x2B, 0x41, 0x61, 0x7F, 0x80, 0xC3, 0xA9, 0xFF, 0x22, 0x5C, 0x20]
        return (0..<Int.random(in: 0...maxLength, using: &generator)).map { _ in
            Bool.random(using: &generator) ? interesting.randomElement(using: &generator)! : UInt8.random(in: 0x21...0x7E, using: &generator)
        }
    }

    @Test func headerLookupIsLowercasedStringEquality() {
        // The Kelvin sign lowercases to ASCII `k`; dotted capital I grows when lowercased; `ß` has no ASCII form.
        let names = ["Host", "host", "HOST", "Authorization", "authorizatioN", "X-Kind", "X-\u{212A}ind", "x-kind", "\u{212A}",
                     "k", "K", "\u{0130}", "i\u{0307}", "I", "Stra\u{DF}e", "STRASSE", "Content-Type", "content-type", "", "é", "E\u{301}",
                     "X-Long-Header-\u{212A}ey", "x-long-header-key", "X-LONG-HEADER-KEY", "X-Long-Header-Ké", "x-long-header-ké"]
        for fieldName in names {
            let headers = HTTPHeaders([(fieldName, "v")])
            for name in names {
                let expected = fieldName.lowercased() == name.lowercased()
                #expect((headers[name] != nil) == expected, "field \(fieldName) looked up as \(name)")
                #expect(headers.values(for: name).count == (expected ? 1 : 0))
                var replaced = headers
                replaced.set(name, "w")
                #expect(replaced.fields.count == (expected ? 1 : 2))
            }
        }
    }

    @Test func quotedValuesWithAndWithoutBackslashesParse() throws {
        let header = try AuthorizationHeader(parsing: #"OAuth a="x\"y", b="plain", c="tail\\", d="", e="q\z""#)
        #expect(header.parameters == [Parameter("a", "x\"y"), Parameter("b", "plain"), Parameter("c", "tail\\"), Parameter("d", ""),
                                      Parameter("e", "qz")])
        #expect(throws: AuthorizationHeaderError.self) { try AuthorizationHeader(parsing: #"OAuth a="open"#) }
        #expect(throws: AuthorizationHeaderError.self) { try AuthorizationHeader(parsing: #"OAuth a="open\""#) }
    }

    @Test func encodedProtocolNamesDecodeToTheName() throws {
        let header = try AuthorizationHeader(parsing: #"OAuth oauth_%74oken="t""#)
        #expect(header.parameters == [Parameter("oauth_token", "t")])
        #expect(try FormURLEncoding.parse("oauth_%74oken=t") == [Parameter("oauth_token", "t")])
    }

    @Test func defaultPortsIgnoreCase() {
        for (scheme, port) in [("http", 80), ("HTTP", 80), ("Https", 443), ("HTTPS", 443), ("ftp", nil), ("", nil), ("httpss", nil),
                               ("htt", nil), ("\u{212A}http", nil)] as [(String, Int?)] {
            #expect(RequestURL.defaultPort(forScheme: scheme) == port)
        }
    }

    /// Encoding encoded text again (as the base string does with the normalized parameters) escapes only its `%`.
    @Test func secondEncodingEscapesOnlyThePercentSign() {
        var generator = SeededGenerator(state: 3411)
        for _ in 0..<5_000 {
            let text = String(decoding: Self.randomBytes(&generator, maxLength: 40), as: UTF8.self)
            let encoded = PercentEncoding.encode(text)
            let percentEscaped = encoded.utf8.flatMap { $0 == UInt8(ascii: "%") ? Array("%25".utf8) : [$0] }
            #expect(Array(PercentEncoding.encode(encoded).utf8) == percentEscaped, "\(text)")
        }
    }
}
