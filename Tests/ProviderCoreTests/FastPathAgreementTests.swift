@testable import ProviderCore
import Testing

/// The byte-level fast paths of the request path give what the String-level rules they stand in for give, on tricky input.
@Suite struct FastPathAgreementTests {
    typealias SeededGenerator = PropertyTests.SeededGenerator

    /// Bytes drawn mostly from the characters that matter to the scans: `%`, `+`, NUL, high bytes, letters.
    static func randomBytes(_ generator: inout SeededGenerator, maxLength: Int) -> [UInt8] {
        let interesting: [UInt8] = [0x00, 0x25, 0x2B, 0x41, 0x61, 0x7F, 0x80, 0xC3, 0xA9, 0xFF, 0x22, 0x5C, 0x20]
        return (0..<Int.random(in: 0...maxLength, using: &generator)).map { _ in
            Bool.random(using: &generator) ? interesting.randomElement(using: &generator)! : UInt8.random(in: 0x21...0x7E, using: &generator)
        }
    }

    @Test func decodingScanFindsEveryByteThatNeedsWork() {
        var generator = SeededGenerator(state: 5849)
        for _ in 0..<20_000 {
            let bytes = Self.randomBytes(&generator, maxLength: 40)
            for plusIsSpace in [false, true] {
                let expected = bytes.contains { $0 == 0x25 || (plusIsSpace && $0 == 0x2B) || $0 >= 0x80 || $0 == 0 }
                let found = bytes.withUnsafeBufferPointer { PercentEncoding.mayNeedDecoding($0, plusIsSpace: plusIsSpace) }
                #expect(found == expected, "\(bytes) plusIsSpace \(plusIsSpace)")
            }
        }
    }

    @Test func headerLookupIsLowercasedStringEquality() {
        // The Kelvin sign lowercases to ASCII `k`; dotted capital I grows when lowercased; `ß` has no ASCII form.
        let names = ["Host", "host", "HOST", "Authorization", "authorizatioN", "X-Kind", "X-\u{212A}ind", "x-kind", "\u{212A}",
                     "k", "K", "\u{0130}", "i\u{0307}", "I", "Stra\u{DF}e", "STRASSE", "Content-Type", "content-type", "", "é", "E\u{301}",
                     // Long names, with the non-ASCII byte late in the name.
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

    @Test func quotedValuesWithAndWithoutBackslashesParseAsBefore() throws {
        let header = try AuthorizationHeader(parsing: #"OAuth a="x\"y", b="plain", c="tail\\", d="", e="q\z""#)
        #expect(header.parameters == [Parameter("a", "x\"y"), Parameter("b", "plain"), Parameter("c", "tail\\"), Parameter("d", ""),
                                      Parameter("e", "qz")])
        #expect(throws: AuthorizationHeaderError.self) { try AuthorizationHeader(parsing: #"OAuth a="open"#) }
        #expect(throws: AuthorizationHeaderError.self) { try AuthorizationHeader(parsing: #"OAuth a="open\""#) }
    }
}

/// The protocol parameters the provider reads are recognised by their exact bytes, and only by them.
@Suite struct KnownProtocolParameterTests {
    @Test func namesAreRecognisedByTheirExactBytes() throws {
        for parameter in KnownProtocolParameter.allCases {
            let bytes = Array(parameter.name.utf8)
            #expect(bytes.withUnsafeBufferPointer { KnownProtocolParameter($0) } == parameter)
            var changed = bytes
            changed[changed.count - 1] ^= 0x20
            #expect(changed.withUnsafeBufferPointer { KnownProtocolParameter($0) } == nil)
        }
        #expect(try PercentEncoding.decode("oauth_%74oken", plusIsSpace: false) == "oauth_token")
    }

    @Test func defaultPortsIgnoreCase() {
        for (scheme, port) in [("http", 80), ("HTTP", 80), ("Https", 443), ("HTTPS", 443), ("ftp", nil), ("", nil), ("httpss", nil),
                               ("htt", nil), ("\u{212A}http", nil)] as [(String, Int?)] {
            #expect(RequestURL.defaultPort(forScheme: scheme) == port)
        }
    }
}

/// The writer's encoding is `PercentEncoding.encode` for every byte.
@Suite struct PercentEncodingWriterTests {
    @Test func everyByteIsEncodedAsTheEncoderDoes() {
        for byte in UInt8.min...UInt8.max {
            let bytes = [UInt8(ascii: "a"), byte, UInt8(ascii: "Z")]
            var written = [UInt8](repeating: 0, count: 9)
            let count = written.withUnsafeMutableBufferPointer { buffer in
                var writer = PercentEncodingWriter(buffer)
                bytes.withUnsafeBufferPointer { writer.writeEncoded($0) }
                return writer.count
            }
            let expected = Array(PercentEncoding.encode(String(decoding: bytes, as: UTF8.self)).utf8)
            if byte < 0x80 { #expect(Array(written[..<count]) == expected, "byte \(byte)") }
            #expect(count == bytes.reduce(0) { $0 + (PercentEncoding.isUnreserved($1) ? 1 : 3) }, "byte \(byte)")
        }
    }
}

/// The second encoding of already-encoded text against the String-level rule it stands in for.
@Suite struct SecondEncodingAgreementTests {
    typealias SeededGenerator = PropertyTests.SeededGenerator

    /// Encoding encoded text again escapes only its `%`: the writer gives what `PercentEncoding.encode` gives.
    @Test func secondEncodingIsTheEncoderOnEncodedText() {
        var generator = SeededGenerator(state: 3411)
        for _ in 0..<5_000 {
            let text = String(decoding: FastPathAgreementTests.randomBytes(&generator, maxLength: 40), as: UTF8.self)
            let encoded = Array(PercentEncoding.encode(text).utf8)
            var written = [UInt8](repeating: 0, count: 3 * encoded.count + 1)
            let count = written.withUnsafeMutableBufferPointer { buffer in
                var writer = PercentEncodingWriter(buffer)
                encoded.withUnsafeBufferPointer { writer.writeEncodedAgain($0) }
                return writer.count
            }
            #expect(Array(written[..<count]) == Array(PercentEncoding.encode(String(decoding: encoded, as: UTF8.self)).utf8),
                    "\(text)")
        }
    }
}
