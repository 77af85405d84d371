import ProviderCore
import Testing

/// Percent-encoding (RFC 5849 section 3.6), the Authorization header (section 3.5.1) and parameter collection (section 3.4.1.3).
@Suite struct ParameterCollectionTests {
    @Test func encodesPerSection3_6() {
        #expect(PercentEncoding.encode("abcXYZ019-._~") == "abcXYZ019-._~")
        #expect(PercentEncoding.encode(" +%&=/?*!'()") == "%20%2B%25%26%3D%2F%3F%2A%21%27%28%29")
        #expect(PercentEncoding.encode("café") == "caf%C3%A9")
        #expect(PercentEncoding.encode("日本") == "%E6%97%A5%E6%9C%AC")
        #expect(PercentEncoding.encode("") == "")
    }

    @Test func decodesStrictly() throws {
        #expect(try PercentEncoding.decode("a%20b+c", plusIsSpace: true) == "a b c")
        #expect(try PercentEncoding.decode("a%20b+c", plusIsSpace: false) == "a b+c")
        #expect(try PercentEncoding.decode("%7e%7E~", plusIsSpace: true) == "~~~")
        #expect(try PercentEncoding.decode("%2B", plusIsSpace: true) == "+")
        #expect(throws: PercentDecodingError.malformedEscape(offset: 1)) { try PercentEncoding.decode("a%2", plusIsSpace: true) }
        #expect(throws: PercentDecodingError.malformedEscape(offset: 0)) { try PercentEncoding.decode("%zz", plusIsSpace: true) }
        #expect(throws: PercentDecodingError.invalidUTF8) { try PercentEncoding.decode("%C3%28", plusIsSpace: true) }
        #expect(throws: PercentDecodingError.invalidUTF8) { try PercentEncoding.decode("%FF", plusIsSpace: true) }
        #expect(throws: PercentDecodingError.nulByte) { try PercentEncoding.decode("a%00b", plusIsSpace: true) }
    }

    @Test func parsesAuthorizationHeaderWithRealmApart() throws {
        let header = try AuthorizationHeader(parsing: "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\",oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\"")
        #expect(header.realm == "Photos")
        #expect(header.parameters == [Parameter("oauth_consumer_key", "dpf43f3p2l4k3l03"),
                                      Parameter("oauth_callback", "http://printer.example.com/ready")])
    }

    @Test func headerSchemeIsCaseInsensitiveAndPlusIsLiteral() throws {
        let header = try AuthorizationHeader(parsing: "oauth  oauth_nonce = \"a+b%20c\" ,\toauth_token=\"\"")
        #expect(header.parameters == [Parameter("oauth_nonce", "a+b c"), Parameter("oauth_token", "")])
        #expect(!AuthorizationHeader.isOAuth("Basic dXNlcjpwYXNz"))
        #expect(!AuthorizationHeader.isOAuth("OAuthX a=\"b\""))
        #expect(AuthorizationHeader.isOAuth("OAuth"))
    }

    @Test(arguments: [
        "OAuth oauth_nonce=\"abc",
        "OAuth oauth_nonce",
        "OAuth oauth_nonce=\"a\" oauth_token=\"b\"",
        "OAuth =\"a\"",
        "OAuth oauth_nonce=\"%G1\"",
        "OAuth oauth_nonce=\"%C3%28\"",
        "OAuth realm=\"a\", realm=\"b\"",
    ])
    func refusesMalformedHeaders(_ value: String) {
        #expect(throws: AuthorizationHeaderError.self) { try AuthorizationHeader(parsing: value) }
    }

    @Test func collectsQueryHeaderAndFormBodyInOrder() throws {
        let request = HTTPRequest(
            method: "POST", url: RequestURL("https://example.com/p?a=1&a=2&q=x+y")!,
            headers: [("Authorization", "OAuth realm=\"r\", oauth_nonce=\"n\""),
                      ("Content-Type", "Application/X-WWW-Form-URLEncoded ; charset=UTF-8")],
            body: Array("b=%2B&a=1&c".utf8))
        let parameters = try RequestParameters(request)
        #expect(parameters.realm == "r")
        #expect(parameters.entries.map(\.parameter) == [Parameter("a", "1"), Parameter("a", "2"), Parameter("q", "x y"),
                                                        Parameter("oauth_nonce", "n"), Parameter("b", "+"), Parameter("a", "1"),
                                                        Parameter("c", "")])
        #expect(parameters.protocolLocation == .authorizationHeader)
    }

    @Test func ignoresBodyThatIsNotFormEncoded() throws {
        let request = HTTPRequest(method: "POST", url: RequestURL("https://example.com/p")!,
                                  headers: [("Content-Type", "application/json")], body: Array("a=1&oauth_nonce=x".utf8))
        #expect(try RequestParameters(request).entries.isEmpty)
    }

    @Test func refusesProtocolParameterSentTwice() throws {
        let twiceInQuery = HTTPRequest(method: "GET", url: RequestURL("https://example.com/?oauth_nonce=a&oauth_nonce=b")!)
        let error = expectOAuthError(.parameterRejected) { try RequestParameters(twiceInQuery) }
        #expect(error?.details == [Parameter("oauth_parameters_rejected", "oauth_nonce")])
        #expect(error?.status == 400)
    }

    @Test func refusesProtocolParametersInTwoLocations() {
        let split = HTTPRequest(method: "GET", url: RequestURL("https://example.com/?oauth_nonce=a")!,
                                headers: [("Authorization", "OAuth oauth_consumer_key=\"k\"")])
        expectOAuthError(.parameterRejected) { try RequestParameters(split) }
        let sameNameTwice = HTTPRequest(method: "POST", url: RequestURL("https://example.com/?oauth_nonce=a")!,
                                        headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                        body: Array("oauth_nonce=a".utf8))
        expectOAuthError(.parameterRejected) { try RequestParameters(sameNameTwice) }
    }

    @Test func keepsRepeatedNonProtocolParameters() throws {
        let request = HTTPRequest(method: "GET", url: RequestURL("https://example.com/?a=1&a=1&a=2")!)
        #expect(try RequestParameters(request).signedParameters == [Parameter("a", "1"), Parameter("a", "1"), Parameter("a", "2")])
    }

    @Test func refusesTwoOAuthAuthorizationHeadersButIgnoresBasic() throws {
        let two = HTTPRequest(method: "GET", url: RequestURL("https://example.com/")!,
                              headers: [("Authorization", "OAuth oauth_nonce=\"a\""), ("authorization", "OAuth oauth_token=\"b\"")])
        expectOAuthError(.parameterRejected) { try RequestParameters(two) }
        let basic = HTTPRequest(method: "GET", url: RequestURL("https://example.com/?x=1")!,
                                headers: [("Authorization", "Basic dXNlcjpwYXNz")])
        #expect(try RequestParameters(basic).entries.map(\.parameter) == [Parameter("x", "1")])
    }

    @Test(arguments: ["a=%", "a=%4", "a=%GG", "a=%FF", "%C3%28=1", "a=b%00"])
    func refusesBadEncodingInQuery(_ query: String) {
        let request = HTTPRequest(method: "GET", url: RequestURL("https://example.com/?" + query)!)
        let error = expectOAuthError(.parameterRejected) { try RequestParameters(request) }
        #expect(error?.message.contains("query string") == true)
    }

    @Test func refusesBodyThatIsNotUTF8() {
        let request = HTTPRequest(method: "POST", url: RequestURL("https://example.com/")!,
                                  headers: [("Content-Type", "application/x-www-form-urlencoded")], body: [0x61, 0x3D, 0xFF])
        expectOAuthError(.parameterRejected) { try RequestParameters(request) }
    }

    @Test func baseStringURIKeepsIPv6BracketsAndNonDefaultPorts() {
        #expect(SignatureBaseString.baseStringURI(RequestURL("http://[::1]:8080/x")!) == "http://[::1]:8080/x")
        #expect(SignatureBaseString.baseStringURI(RequestURL("http://[2001:DB8::1]:80/x")!) == "http://[2001:db8::1]/x")
        #expect(SignatureBaseString.baseStringURI(RequestURL("https://Example.com:80/")!) == "https://example.com:80/")
        #expect(SignatureBaseString.baseStringURI(RequestURL("http://example.com:443")!) == "http://example.com:443/")
        #expect(SignatureBaseString.baseStringURI(RequestURL("http://example.com/a%2fb%7E")!) == "http://example.com/a%2fb%7E")
    }

    @Test func parsesURLAuthorities() {
        #expect(RequestURL.splitAuthority("example.com:8080")! == ("example.com", 8080))
        #expect(RequestURL.splitAuthority("[::1]")! == ("[::1]", nil))
        #expect(RequestURL.splitAuthority("[::1]:443")! == ("[::1]", 443))
        #expect(RequestURL.splitAuthority("example.com:0") == nil)
        #expect(RequestURL.splitAuthority("example.com:65536") == nil)
        #expect(RequestURL.splitAuthority("example.com:-1") == nil)
        #expect(RequestURL.splitAuthority("user@example.com") == nil)
        #expect(RequestURL.splitAuthority("") == nil)
        #expect(RequestURL("ftp://example.com/") == nil)
        #expect(RequestURL("javascript:alert(1)") == nil)
    }

    @Test func refusesMoreParametersThanTheLimit() throws {
        let many = (0..<RequestParameters.maximumCount).map { "p\($0)=\($0)" }.joined(separator: "&")
        let allowed = HTTPRequest(method: "POST", url: RequestURL("https://example.com/")!,
                                  headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(many.utf8))
        #expect(try RequestParameters(allowed).entries.count == RequestParameters.maximumCount)
        var tooMany = allowed
        tooMany.body += Array("&one=more".utf8)
        let error = expectOAuthError(.parameterRejected) { try RequestParameters(tooMany) }
        #expect(error?.message.contains("at most 1000") == true)
    }
}
