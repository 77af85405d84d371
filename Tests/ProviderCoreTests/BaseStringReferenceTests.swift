import ProviderCore
import Testing

/// The base string as RFC 5849 section 3.4.1 spells it out, built from strings step by step, against the provider's
/// byte-level builder over many random requests: method and host case (also non-ASCII), ports, paths and parameters.
@Suite struct BaseStringReferenceTests {
    typealias Generator = PropertyTests.SeededGenerator

    /// Section 3.4.1.1 to 3.4.1.3.2, the plain way: encode, sort the encoded pairs, join, encode again.
    static func reference(method: String, url: RequestURL, parameters: [Parameter]) -> String {
        let scheme = url.scheme.lowercased()
        var uri = scheme + "://" + url.host.lowercased()
        if let port = url.port, port != RequestURL.defaultPort(forScheme: scheme) { uri += ":" + String(port) }
        uri += url.rawPath.isEmpty ? "/" : url.rawPath
        let pairs = parameters.map { (Array(PercentEncoding.encode($0.name).utf8), Array(PercentEncoding.encode($0.value).utf8)) }
            .sorted { $0.0 == $1.0 ? $0.1.lexicographicallyPrecedes($1.1) : $0.0.lexicographicallyPrecedes($1.0) }
        let normalized = pairs.map { String(decoding: $0.0, as: UTF8.self) + "=" + String(decoding: $0.1, as: UTF8.self) }
            .joined(separator: "&")
        return [method.uppercased(), uri, normalized].map(PercentEncoding.encode).joined(separator: "&")
    }

    @Test func builderMatchesReference() {
        var generator = Generator(state: 11)
        let methods = ["GET", "post", "Put", "DELETE", "pätch", "ß", "M-SEARCH", ""]
        let schemes = ["http", "HTTPS", "Http", "https"]
        let hosts = ["example.com", "EXAMPLE.com", "[2001:DB8::1]", "ÉXAMPLE.com", "例え.テスト", "127.0.0.1"]
        let ports: [Int?] = [nil, 80, 443, 8080, 1, 65535]
        let paths = ["", "/", "/a%20b/C", "/%7Euser/x+y", "/ünï", "/a;b,c=d"]
        for _ in 0..<1500 {
            let url = RequestURL(scheme: schemes.randomElement(using: &generator)!, host: hosts.randomElement(using: &generator)!,
                                 port: ports.randomElement(using: &generator)!, rawPath: paths.randomElement(using: &generator)!)
            let method = methods.randomElement(using: &generator)!
            let parameters = (0..<Int.random(in: 0...7, using: &generator)).map { _ in
                Parameter(PropertyTests.randomString(&generator, maxLength: 4), PropertyTests.randomString(&generator, maxLength: 6))
            }
            #expect(SignatureBaseString.make(method: method, url: url, parameters: parameters)
                    == Self.reference(method: method, url: url, parameters: parameters), "\(method) \(url.absoluteString) \(parameters)")
        }
    }

    /// The error sentences of malformed headers, word for word: clients and logs see them.
    @Test(arguments: [
        ("OAuth oauth_nonce=\"abc", "The Authorization header is malformed: the value of 'oauth_nonce' has no closing quote. Send name=\"value\" pairs separated by commas."),
        ("OAuth oauth_nonce", "The Authorization header is malformed: parameter 'oauth_nonce' has no '=' and value. Send name=\"value\" pairs separated by commas."),
        ("OAuth oauth_nonce=\"a\" oauth_token=\"b\"", "The Authorization header is malformed: expected ',' between parameters at byte 22. Send name=\"value\" pairs separated by commas."),
        ("OAuth =\"a\"", "The Authorization header is malformed: expected a parameter name at byte 6. Send name=\"value\" pairs separated by commas."),
        ("OAuth oauth_nonce=\"x%G1\"", "The Authorization header parameter 'oauth_nonce' has a '%' at byte 1 that is not followed by two hexadecimal digits; percent-encode it per RFC 5849 section 3.6."),
        ("OAuth oauth_n%4Fnce=\"a\\\"b%2\"", "The Authorization header parameter 'oauth_n%4Fnce' has a '%' at byte 3 that is not followed by two hexadecimal digits; percent-encode it per RFC 5849 section 3.6."),
        ("OAuth oauth_nonce=\"%C3%28\"", "The Authorization header parameter 'oauth_nonce' does not decode to UTF-8 text; percent-encode it per RFC 5849 section 3.6."),
        ("OAuth realm=\"a\", realm=\"b\"", "The Authorization header is malformed: realm appears more than once. Send name=\"value\" pairs separated by commas."),
        ("OAuth oauth_consumer_key=\"a\\\\b\\\"c\", oauth_signature_method=x", ""),
    ])
    func headerErrorsSayWhere(_ value: String, _ sentence: String) throws {
        do {
            let header = try AuthorizationHeader(parsing: value)
            #expect(sentence.isEmpty)
            #expect(header.parameters == [Parameter("oauth_consumer_key", "a\\b\"c"), Parameter("oauth_signature_method", "x")])
        } catch {
            #expect(error.sentence == sentence)
        }
    }

    /// Form bodies and query strings: empty segments skipped, a bare name has an empty value, errors count from the name or value.
    @Test func formParsingKeepsItsRules() throws {
        #expect(try FormURLEncoding.parse("&&a=1&&b&=x&oauth_consumer_key=k+1&c=%3D=") == [
            Parameter("a", "1"), Parameter("b", ""), Parameter("", "x"), Parameter("oauth_consumer_key", "k 1"), Parameter("c", "==")])
        #expect(try FormURLEncoding.parse("x=1&y=2"[...].dropFirst(4)) == [Parameter("y", "2")])
        #expect(throws: PercentDecodingError.malformedEscape(offset: 2)) { try FormURLEncoding.parse("a=1&b=xy%4") }
        #expect(throws: PercentDecodingError.nulByte) { try FormURLEncoding.parse("a%00=1") }
    }
}
