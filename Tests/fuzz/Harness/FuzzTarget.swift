import OAuth1Gateway
import PageTemplates
import ProviderCore
import ProviderStorage

/// One fuzzed entry point of the provider: its name is the corpus directory, `run` feeds it one input and checks what must hold.
enum FuzzTarget: String, CaseIterable, Sendable {
    case authorizationHeader = "authorization-header"
    case formDecoding = "form-decoding"
    case signatureBaseString = "signature-base-string"
    case gatewayEnvironment = "gateway-environment"
    case pem
    case configuration
    case sessionCookie = "session-cookie"
    case sealedSecret = "sealed-secret"
    case pageTemplate = "page-template"

    /// Feeds one input to the entry point; a broken property stops the process, which libFuzzer reports as a crash.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .authorizationHeader: Self.authorizationHeader(bytes)
        case .formDecoding: Self.formDecoding(bytes)
        case .signatureBaseString: Self.signatureBaseString(bytes)
        case .gatewayEnvironment: Self.gatewayEnvironment(bytes)
        case .pem: Self.pem(bytes)
        case .configuration: Self.configuration(bytes)
        case .sessionCookie: Self.sessionCookie(bytes)
        case .sealedSecret: Self.sealedSecret(bytes)
        case .pageTemplate: Self.pageTemplate(bytes)
        }
    }

    /// The input is a header value; a parsed header written out again parses to the same realm and parameters.
    static func authorizationHeader(_ bytes: [UInt8]) {
        let value = String(decoding: bytes, as: UTF8.self)
        guard let header = try? AuthorizationHeader(parsing: value) else { return }
        require(AuthorizationHeader.isOAuth(value), "a parsed header uses the OAuth scheme")
        var fields = header.parameters.map { "\(PercentEncoding.encode($0.name))=\"\(PercentEncoding.encode($0.value))\"" }
        if let realm = header.realm { fields.insert("realm=\"\(PercentEncoding.encode(realm))\"", at: 0) }
        let again = try? AuthorizationHeader(parsing: "OAuth " + fields.joined(separator: ", "))
        require(again == header, "a written-out header parses to the same parameters")
    }

    /// The input is a query string and form body; decoded pairs survive encoding, and the request's parameters collect or refuse cleanly.
    static func formDecoding(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let parameters = try? FormURLEncoding.parse(text) {
            let again = try? FormURLEncoding.parse(FormURLEncoding.serialize(parameters))
            require(again == parameters, "serialized pairs parse to the same pairs")
        }
        let printable = String(decoding: bytes.filter { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }, as: UTF8.self)
        let request = HTTPRequest(method: "POST", url: RequestURL(scheme: "https", host: "example.com", rawPath: "/r", rawQuery: printable),
                                  headers: [("Content-Type", "application/x-www-form-urlencoded")], body: bytes)
        if let collected = try? RequestParameters(request) {
            require(collected.entries.count <= RequestParameters.maximumCount, "the parameter limit holds")
            _ = SignatureBaseString.make(request: request, parameters: collected)
        }
    }

    /// The input is a method line, a URL line, an Authorization line and a form body; the base string has exactly its two separators.
    static func signatureBaseString(_ bytes: [UInt8]) {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 3, omittingEmptySubsequences: false)
        func line(_ index: Int) -> String { index < lines.count ? String(decoding: lines[index], as: UTF8.self) : "" }
        guard let url = RequestURL(line(1)) else { return }
        var headers: HTTPHeaders = [("Content-Type", "application/x-www-form-urlencoded")]
        if !line(2).isEmpty { headers.add("Authorization", line(2)) }
        let request = HTTPRequest(method: line(0), url: url, headers: headers, body: lines.count > 3 ? Array(lines[3]) : [])
        guard let parameters = try? RequestParameters(request) else { return }
        let base = SignatureBaseString.make(request: request, parameters: parameters)
        require(base.utf8.filter { $0 == UInt8(ascii: "&") }.count == 2, "the base string has exactly two '&' separators")
        require(base.utf8.allSatisfy { PercentEncoding.isUnreserved($0) || $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "&") },
                "the base string is percent-encoded ASCII")
        let signature = parameters[protocolParameter: "oauth_signature"] ?? ""
        for method in [SignatureMethod.hmacSHA1, .hmacSHA256, .plaintext] {
            _ = method.verify(SignatureInput(baseString: base, signature: signature, clientSecret: "kd94hf93k423kf44",
                                             tokenSecret: "pfkkdhi9sl3r4s00", rsaPublicKey: nil))
        }
    }

    /// The input is CGI parameters as `KEY=VALUE` lines, a blank line, then the body; a decoded request goes on to its parameters and base string.
    static func gatewayEnvironment(_ bytes: [UInt8]) {
        var entries = [ArraySlice<UInt8>]()
        var index = 0
        while index < bytes.count {
            let end = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let line = bytes[index..<end]
            index = end + 1
            if line.isEmpty { break }
            entries.append(line)
        }
        // Split as libfcgi's parameters are, at the first `=` byte; a line without one is ignored.
        let environment = GatewayEnvironment(entries: entries)
        let body = index < bytes.count ? Array(bytes[index...]) : []
        for mount in [nil, "/oauth"] {
            let decoder = GatewayRequestDecoder(trustedProxies: ["10.0.0.5"], maximumBodyBytes: 4096, configuredMountPath: mount)
            if let length = try? decoder.contentLength(environment) {
                require(length >= 0 && length <= 4096, "an accepted Content-Length is within the limit")
            }
            guard let request = try? decoder.decode(environment: environment, body: body) else { continue }
            require(request.route.hasPrefix("/"), "a route starts with '/'")
            if let parameters = try? RequestParameters(request.http) {
                _ = SignatureBaseString.make(request: request.http, parameters: parameters)
            }
        }
    }

    /// The input is PEM text, or DER bytes that the harness wraps in a PEM block; a parsed key answers a verification.
    static func pem(_ bytes: [UInt8]) {
        var text = String(decoding: bytes, as: UTF8.self)
        if !text.contains("-----BEGIN"), let first = bytes.first {
            let labels = ["PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE", "RSA PRIVATE KEY"]
            let label = labels[Int(first) % labels.count]
            text = "-----BEGIN \(label)-----\n\(Base64.encode(bytes.dropFirst()))\n-----END \(label)-----\n"
        }
        _ = PEMBlock.first(in: text)
        guard let key = try? RSAPublicKey(pem: text) else { return }
        require((RSAPublicKey.minimumBits...RSAPublicKey.maximumBits).contains(key.bits), "an accepted key has an allowed size")
        _ = key.verify(signature: Array(bytes.prefix(key.bits / 8)), message: bytes, hash: .sha1)
    }

    /// The input is a configuration file; its values are then checked as the provider checks them at start-up.
    static func configuration(_ bytes: [UInt8]) {
        guard let values = try? ConfigurationSource.parse(String(decoding: bytes, as: UTF8.self), name: "fuzz.conf") else { return }
        let source = ConfigurationSource(values: values, file: "fuzz.conf")
        _ = try? AppConfiguration(source)
        _ = AppConfiguration.describe(source)
    }

    /// The key the session-cookie target signs and checks with.
    static let sessionKey = Array("0123456789abcdef0123456789abcdef".utf8)

    /// The time the session-cookie target checks form tokens at.
    static let formTokenNow: Int64 = 1_800_000_000

    /// The input is Cookie header lines; found values are checked as a session cookie and a sign-in form's token cookie, and
    /// the first line's text, signed as either, is accepted.
    static func sessionCookie(_ bytes: [UInt8]) {
        var headers = HTTPHeaders()
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            headers.add("Cookie", String(decoding: line, as: UTF8.self))
        }
        let request = HTTPRequest(method: "GET", url: RequestURL(scheme: "https", host: "example.com", rawPath: "/"), headers: headers)
        if let value = Sessions.cookie(named: Sessions.cookieName, in: request),
           let identifier = Sessions.verifiedIdentifier(cookieValue: value, key: sessionKey) {
            require(value == identifier + "." + Sessions.mac(identifier, key: sessionKey), "an accepted cookie carries its identifier's MAC")
        }
        let identifier = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: ".") }.prefix(64), as: UTF8.self)
        let signed = identifier + "." + Sessions.mac(identifier, key: sessionKey)
        if signed.utf8.count <= 200 {
            require(Sessions.verifiedIdentifier(cookieValue: signed, key: sessionKey) == identifier, "a correctly signed cookie is accepted")
            require(Sessions.verifiedIdentifier(cookieValue: signed, key: Array(sessionKey.reversed())) == nil, "another key's cookie is refused")
        }
        formTokenCookie(request, bytes)
    }

    /// A found `oauth1_form` value that verifies carries its own MAC and expiry; a token made from the input's first bytes is
    /// accepted until its expiry, refused from then on and under another key, and never passes as a session cookie.
    static func formTokenCookie(_ request: HTTPRequest, _ bytes: [UInt8]) {
        if let value = Sessions.cookie(named: AnonymousFormToken.cookieName, in: request),
           let token = AnonymousFormToken.verified(cookieValue: value, key: sessionKey, now: formTokenNow) {
            require(token.expiresAt > formTokenNow, "an accepted form token has not expired")
            require(token.cookieValue(key: sessionKey) == value, "an accepted form cookie is the one its token makes")
            require(token.matches(field: token.random) && !token.matches(field: token.random + "x"), "the field must equal the random part")
        }
        var random = bytes.prefix { $0 != UInt8(ascii: "\n") }.filter { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ".") }
            .prefix(AnonymousFormToken.randomLength)
        while random.count < AnonymousFormToken.randomLength { random.append(UInt8(ascii: "A")) }
        let token = AnonymousFormToken(random: String(decoding: random, as: UTF8.self), expiresAt: formTokenNow + 1 + Int64(bytes.count))
        let value = token.cookieValue(key: sessionKey)
        require(AnonymousFormToken.verified(cookieValue: value, key: sessionKey, now: formTokenNow) == token, "a signed form token is accepted")
        require(AnonymousFormToken.verified(cookieValue: value, key: sessionKey, now: token.expiresAt) == nil, "an expired form token is refused")
        require(AnonymousFormToken.verified(cookieValue: value, key: Array(sessionKey.reversed()), now: formTokenNow) == nil,
                "another key's form token is refused")
        require(Sessions.verifiedIdentifier(cookieValue: value, key: sessionKey) == nil, "a form token never passes as a session cookie")
    }

    /// Stops the process when a property fails, naming it.
    static func require(_ condition: Bool, _ property: String) {
        if !condition { fatalError("fuzz property failed: \(property)") }
    }

    /// The key ring the sealed-secret target seals and opens with.
    static let secretsRing = try! SecretsKeyRing(keys: [SecretsKeyRing.Key(bytes: Array("fuzz-secrets-key-0123456789abcde".utf8))])

    /// The input is a stored secret column; a value that parses is written out the same, opening it never crashes, and the
    /// input's text sealed for one row opens for that row only.
    static func sealedSecret(_ bytes: [UInt8]) {
        let stored = String(decoding: bytes, as: UTF8.self)
        let sealer = SecretSealer(ring: secretsRing)
        if let sealed = SealedSecret(stored: stored) {
            require(sealed.stored == stored, "a parsed sealed value is written out as it was read")
        }
        if let opened = try? sealer.open(stored, owner: .client("fuzz")), SealedSecret.isSealed(stored) {
            require(SealedSecret(stored: stored) != nil, "only a well-formed value opens")
            require((try? sealer.open(stored, owner: .client("other"))) == nil, "a value opens for its own row only")
            _ = opened
        }
        guard let sealed = try? sealer.seal(stored, owner: .tokenCredential("row")) else {
            require(false, "any text can be sealed")
            return
        }
        require((try? sealer.open(sealed, owner: .tokenCredential("row"))) == stored, "a sealed value opens to its text")
        require((try? sealer.open(sealed, owner: .temporaryCredential("row"))) == nil, "and for no other kind of row")
    }

    /// The input is a template (as an OAUTH1_TEMPLATES file would be); it parses or names a line it has, renders (including
    /// itself as a partial) in bounded time, renders to itself when it has no tag, and is escaped byte by byte as a value.
    static func pageTemplate(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.utf8.filter { $0 == UInt8(ascii: "\n") }.count + 1
        var library = TemplateLibrary()
        do {
            try library.register(text, named: "page")
        } catch {
            require(error.line >= 1 && error.line <= lines, "a syntax error names a line of the template")
            return
        }
        let context: [String: Any] = ["title": "<T>", "flag": true, "off": false, "empty": [Any](), "text": "",
                                      "rows": [["name": "a\n", "flag": false], ["name": "&"]], "object": ["name": "o", "rows": [["x": "1"]]]]
        let page = library.render(context, template: "page")
        require(page != nil, "a registered template renders")
        if !bytes.contains(UInt8(ascii: "{")) {
            require(page.map { Array($0.utf8) } == Array(text.utf8), "text without tags renders as it is")
        }
        let escaped = (try? Template("{{value}}"))?.render(["value": text]) ?? ""
        let entities: [UInt8: String] = [UInt8(ascii: "&"): "&amp;", UInt8(ascii: "<"): "&lt;", UInt8(ascii: ">"): "&gt;",
                                         UInt8(ascii: "\""): "&quot;", UInt8(ascii: "'"): "&#39;"]
        let expected = text.utf8.flatMap { entities[$0].map { Array($0.utf8) } ?? [$0] }
        require(Array(escaped.utf8) == expected, "a value is escaped byte by byte, each of the five characters wherever it is")
    }
}
