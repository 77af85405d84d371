#if canImport(Glibc)
import Glibc
#endif
import ProviderCore

/// A request as the gateway hands it to the application: the HTTP value plus where the app is mounted.
public struct GatewayRequest: Sendable {
    /// The request, with the URL the client signed.
    public var http: HTTPRequest
    /// The path below the mount point, such as `/initiate`; always starts with `/`.
    public var route: String
    /// The URL path the application is mounted at, such as `/oauth`; empty at the root.
    public var mountPath: String
    /// What the web server asks of the application.
    public var role: GatewayRole = .responder
}

/// The FastCGI role of a request (FastCGI specification section 6); CGI requests are always responders.
public enum GatewayRole: Equatable, Sendable {
    /// Answer the request.
    case responder
    /// Apache mod_authnz_fcgi's question whether the request may go on, with the scopes the location requires and whether
    /// it admits two-legged requests (the OAUTH_REQUIRED_SCOPE and OAUTH_ALLOW_TWO_LEGGED variables, set for the location
    /// with SetEnvIf; see apache/authorizer.conf).
    case authorizer(requiredScopes: [String], allowsTwoLegged: Bool)
}

/// A request the gateway could not turn into an `HTTPRequest`: the status and a sentence for the caller.
public struct GatewayError: Error, Equatable, Sendable {
    /// The HTTP status to answer with.
    public let status: Int
    /// The sentence for the caller.
    public let message: String
}

/// Builds the request value from CGI/FastCGI parameters: the URL the client signed from REQUEST_URI, HTTP_HOST (or
/// SERVER_NAME and SERVER_PORT), HTTPS/REQUEST_SCHEME; `X-Forwarded-*` only from trusted proxies (docs/architecture.md,
/// "Where the signed URL comes from").
public struct GatewayRequestDecoder: Sendable {
    let trustedProxies: Set<String>
    let maximumBodyBytes: Int
    let configuredMountPath: String?

    /// A decoder that trusts `X-Forwarded-*` from `trustedProxies`, refuses bodies over `maximumBodyBytes`, and takes the mount point from `configuredMountPath` (else from SCRIPT_NAME).
    public init(trustedProxies: Set<String>, maximumBodyBytes: Int, configuredMountPath: String?) {
        self.trustedProxies = trustedProxies
        self.maximumBodyBytes = maximumBodyBytes
        self.configuredMountPath = configuredMountPath
    }

    /// The announced body length, checked against the limit before any byte is read.
    public func contentLength(_ environment: GatewayEnvironment) throws(GatewayError) -> Int {
        guard environment.hasValue(.contentLength), let text = environment[.contentLength] else { return 0 }
        guard text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(text) else {
            throw GatewayError(status: 400, message: "The Content-Length header is not a number.")
        }
        guard length <= maximumBodyBytes else {
            throw GatewayError(status: 413, message: "The request body is \(length) bytes; the limit is \(maximumBodyBytes).")
        }
        return length
    }

    /// Decodes parameters and body into a request and its route.
    public func decode(environment: GatewayEnvironment, body: [UInt8]) throws(GatewayError) -> GatewayRequest {
        guard let method = environment[.requestMethod], !method.isEmpty, method.utf8.count <= 32,
              method.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(HeaderScannerCharacters.isToken) })
                ?? method.utf8.allSatisfy(HeaderScannerCharacters.isToken) else {
            throw GatewayError(status: 400, message: "The request method is missing or malformed.")
        }

        let (headers, hasControlCharacter) = Self.headers(environment)
        if hasControlCharacter {
            for name in ["Authorization", "Host", "Content-Type", "Cookie"] {
                for value in headers.values(for: name) where Self.containsControlCharacter(value) {
                    throw GatewayError(status: 400, message: "The \(name) header contains control characters.")
                }
            }
        }

        let remoteAddress = environment[.remoteAddress]
        let trusted = remoteAddress.map { trustedProxies.contains($0) } ?? false

        // Compared as bytes, as `equalsIgnoringASCIICase` compares the Strings.
        let secure = environment.value(.https, isIgnoringASCIICase: "on") || environment.value(.https, is: "1")
            || environment.value(.requestScheme, isIgnoringASCIICase: "https")
        var scheme = secure ? "https" : "http"
        if trusted, let forwarded = headers["X-Forwarded-Proto"]?.split(separator: ",").first?.trimming(" ").lowercased() {
            guard forwarded == "http" || forwarded == "https" else {
                throw GatewayError(status: 400, message: "X-Forwarded-Proto must be http or https.")
            }
            scheme = forwarded
        }

        let hostSource = (trusted ? headers["X-Forwarded-Host"]?.split(separator: ",").first.map({ $0.trimming(" ") }) : nil)
            ?? headers["Host"] ?? environment[.serverName] ?? ""
        guard let (host, hostPort) = Self.authority(hostSource) else {
            throw GatewayError(status: 400, message: "The Host header is missing or malformed.")
        }
        var port = hostPort
        if port == nil {
            let portText = (trusted ? headers["X-Forwarded-Port"] : nil) ?? environment[.serverPort]
            if let portText, !portText.isEmpty {
                guard let value = Int(portText), (1...65535).contains(value) else {
                    throw GatewayError(status: 400, message: "The server port '\(portText)' is not a port number.")
                }
                port = value
            }
        }
        if port == RequestURL.defaultPort(forScheme: scheme) { port = nil }

        let target = environment[.requestURI] ?? Self.reconstructTarget(environment)
        let (path, query) = try Self.splitTarget(target)

        let url = RequestURL(scheme: scheme, host: host, port: port, rawPath: path, rawQuery: query)
        let clientAddress = trusted ? Self.forwardedClient(headers["X-Forwarded-For"], trustedProxies: trustedProxies) ?? remoteAddress
            : remoteAddress
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body, remoteAddress: clientAddress,
                                  remoteUser: environment[.remoteUser].flatMap { $0.isEmpty ? nil : $0 })
        let decodedPath: String
        if !Self.containsPercent(path) {
            // splitTarget let only printable ASCII through: without an escape, decoding would return the path unchanged.
            decodedPath = path
        } else {
            do {
                decodedPath = try PercentEncoding.decode(path, plusIsSpace: false)
            } catch {
                throw GatewayError(status: 400, message: "The request path \(error.sentence).")
            }
        }
        let mount = configuredMountPath ?? Self.mountPath(scriptName: environment[.scriptName], pathInfo: environment[.pathInfo],
                                                          path: decodedPath)
        return GatewayRequest(http: request, route: Self.route(decodedPath, below: mount), mountPath: mount, role: try Self.role(environment))
    }

    /// The request's header fields: the HTTP_ variables in name order, then CONTENT_TYPE, then REDIRECT_HTTP_AUTHORIZATION
    /// when no Authorization came; and whether any value holds a control character (the decoder then finds which).
    static func headers(_ environment: GatewayEnvironment) -> (HTTPHeaders, hasControlCharacter: Bool) {
        var hasControlCharacter = false
        var headers = HTTPHeaders()
        headers.reserveCapacity(environment.headerVariableCount + 2)
        environment.forEachHeaderVariable { name, value in
            headers.add(headerName(fromHTTPVariable: name), String(decoding: value, as: UTF8.self))
            hasControlCharacter = hasControlCharacter || containsControlCharacter(value)
        }
        if environment.hasValue(.contentType), let contentType = environment[.contentType] {
            headers.set("Content-Type", contentType)
            hasControlCharacter = hasControlCharacter || containsControlCharacter(contentType)
        }
        if environment.hasValue(.redirectedAuthorization), let redirected = environment[.redirectedAuthorization],
           headers["Authorization"] == nil {
            headers.set("Authorization", redirected)
            hasControlCharacter = hasControlCharacter || containsControlCharacter(redirected)
        }
        return (headers, hasControlCharacter)
    }

    /// Whether `value` is `lowercase` in any ASCII case. `lowercase` has no `k`, the one ASCII letter that a non-ASCII
    /// character (the Kelvin sign) lowercases to, so this is `value.lowercased() == lowercase` without a new String.
    static func equalsIgnoringASCIICase(_ value: String, _ lowercase: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        guard value.utf8.count == expected.count else { return false }
        return zip(value.utf8, expected).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0) == $1 }
    }

    /// FCGI_ROLE as libfcgi reports it; a filter is refused, since the provider has nothing to filter.
    static func role(_ environment: GatewayEnvironment) throws(GatewayError) -> GatewayRole {
        // Compared as bytes: the role names hold no character with a non-ASCII canonical equivalent.
        if environment.value(.fastCGIRole, is: "RESPONDER") { return .responder }
        if environment.value(.fastCGIRole, is: "AUTHORIZER") {
            let scopes = (environment[.requiredScope] ?? "").split(separator: " ").map(String.init)
            return .authorizer(requiredScopes: scopes, allowsTwoLegged: environment.value(.allowsTwoLegged, is: "on"))
        }
        guard let role = environment[.fastCGIRole] else { return .responder }
        throw GatewayError(status: 400, message: "The FastCGI role \(role) is not supported; run the provider as a responder or an authorizer.")
    }

    /// Whether a header value holds a control character other than tab (checked over contiguous bytes).
    static func containsControlCharacter(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { containsControlCharacter(UnsafeRawBufferPointer($0)) }
    }

    /// Whether UTF-8 bytes hold a control character other than tab.
    static func containsControlCharacter(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
    }

    /// The client behind trusted proxies: the rightmost X-Forwarded-For address that is not itself a trusted proxy (the
    /// addresses to its left were written by the client and prove nothing). Sign-in limits count this address.
    static func forwardedClient(_ header: String?, trustedProxies: Set<String>) -> String? {
        guard let header else { return nil }
        for hop in header.split(separator: ",").reversed() {
            let address = hop.trimming(" \t")
            if address.isEmpty { return nil }
            if !trustedProxies.contains(address) { return address }
        }
        return nil
    }

    /// `AUTHORIZATION` becomes `Authorization`, `X_FORWARDED_PROTO` becomes `X-Forwarded-Proto`.
    static func headerName(fromVariable variable: String) -> String {
        var variable = variable
        if let ascii = variable.withUTF8({ asciiHeaderName(UnsafeRawBufferPointer($0)) }) { return ascii }
        return variable.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: "-")
    }

    /// The header an `HTTP_` variable carries, from the variable's name bytes: `HTTP_X_FORWARDED_FOR` becomes `X-Forwarded-For`.
    static func headerName(fromHTTPVariable variable: UnsafeRawBufferPointer) -> String {
        // An ASCII name's five-character prefix is five bytes: the rest converts in place, without a String of its own.
        if let ascii = asciiHeaderName(UnsafeRawBufferPointer(rebasing: variable.dropFirst(5))) { return ascii }
        return headerName(fromVariable: String(String(decoding: variable, as: UTF8.self).dropFirst(5)))
    }

    /// The conversion for ASCII, the usual case: the same result byte by byte, without a String per word; nil for non-ASCII.
    private static func asciiHeaderName(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var name = [UInt8]()
        name.reserveCapacity(bytes.count)
        var wordStart = true
        for byte in bytes {
            if byte == UInt8(ascii: "_") {
                wordStart = true
                continue
            }
            if wordStart, !name.isEmpty { name.append(UInt8(ascii: "-")) }
            let isUpper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
            let isLower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            name.append(wordStart ? (isLower ? byte - 32 : byte) : (isUpper ? byte + 32 : byte))
            wordStart = false
        }
        return String(decoding: name, as: UTF8.self)
    }

    /// Whether text holds a `%`.
    static func containsPercent(_ text: String) -> Bool {
        text.utf8.contains(UInt8(ascii: "%"))
    }

    /// Host names and literals: letters, digits, `-`, `.`, `_`, or a bracketed IPv6 literal.
    static func isValidHost(_ host: String) -> Bool {
        if host.hasPrefix("[") {
            return host.hasSuffix("]") && host.utf8.dropFirst().dropLast().allSatisfy { PercentEncoding.hexValue($0) != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
        }
        return host.utf8.count <= 253 && host.utf8.allSatisfy { PercentEncoding.isUnreserved($0) && $0 != UInt8(ascii: "~") }
    }
}

/// The HTTP token characters (RFC 9110), shared by method and header checks.
enum HeaderScannerCharacters {
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
