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
    /// The HTTP status of the answer.
    public let status: Int
    /// The sentence the answer carries.
    public let message: String
}

/// Builds the request value from CGI/FastCGI parameters: the URL the client signed is rebuilt from what the client sent,
/// REQUEST_URI and HTTP_HOST (or SERVER_NAME and SERVER_PORT) and HTTPS or REQUEST_SCHEME, and `X-Forwarded-*` headers
/// count only from trusted proxies (docs/architecture.md, section "The signed URL").
public struct GatewayRequestDecoder: Sendable {
    let trustedProxies: Set<String>
    let maximumBodyBytes: Int
    let configuredMountPath: String?

    /// A decoder that believes `X-Forwarded-*` from `trustedProxies` only, refuses longer bodies than `maximumBodyBytes`,
    /// and takes the mount point from `configuredMountPath` when set, else from SCRIPT_NAME.
    public init(trustedProxies: Set<String>, maximumBodyBytes: Int, configuredMountPath: String?) {
        self.trustedProxies = trustedProxies
        self.maximumBodyBytes = maximumBodyBytes
        self.configuredMountPath = configuredMountPath
    }

    /// The announced body length (CONTENT_LENGTH, RFC 3875 section 4.1.2), checked against the limit before any byte is read.
    public func contentLength(_ environment: GatewayEnvironment) throws(GatewayError) -> Int {
        guard let text = environment["CONTENT_LENGTH"], !text.isEmpty else { return 0 }
        guard text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let length = Int(text) else {
            throw GatewayError(status: 400, message: "The Content-Length header is not a number.")
        }
        guard length <= maximumBodyBytes else {
            throw GatewayError(status: 413, message: "The request body is \(length) bytes; the limit is \(maximumBodyBytes).")
        }
        return length
    }

    /// Decodes parameters and body into a request and its route.
    public func decode(environment: GatewayEnvironment, body: [UInt8]) throws(GatewayError) -> GatewayRequest {
        guard let method = environment["REQUEST_METHOD"], !method.isEmpty, method.utf8.count <= 32,
              method.utf8.allSatisfy(HeaderScannerCharacters.isToken) else {
            throw GatewayError(status: 400, message: "The request method is missing or malformed.")
        }

        let headers = Self.headers(environment)
        for name in ["Authorization", "Host", "Content-Type", "Cookie"] {
            for value in headers.values(for: name) where Self.containsControlCharacter(value) {
                throw GatewayError(status: 400, message: "The \(name) header contains control characters.")
            }
        }

        let remoteAddress = environment["REMOTE_ADDR"]
        let trusted = remoteAddress.map { trustedProxies.contains($0) } ?? false

        let https = environment["HTTPS"]?.lowercased()
        let secure = https == "on" || https == "1" || environment["REQUEST_SCHEME"]?.lowercased() == "https"
        var scheme = secure ? "https" : "http"
        if trusted, let forwarded = headers["X-Forwarded-Proto"]?.split(separator: ",").first?.trimming(" ").lowercased() {
            guard forwarded == "http" || forwarded == "https" else {
                throw GatewayError(status: 400, message: "X-Forwarded-Proto must be http or https.")
            }
            scheme = forwarded
        }

        let hostSource = (trusted ? headers["X-Forwarded-Host"]?.split(separator: ",").first.map({ $0.trimming(" ") }) : nil)
            ?? headers["Host"] ?? environment["SERVER_NAME"] ?? ""
        guard let (host, hostPort) = Self.authority(hostSource) else {
            throw GatewayError(status: 400, message: "The Host header is missing or malformed.")
        }
        var port = hostPort
        if port == nil {
            let portText = (trusted ? headers["X-Forwarded-Port"] : nil) ?? environment["SERVER_PORT"]
            if let portText, !portText.isEmpty {
                guard let value = Int(portText), (1...65535).contains(value) else {
                    throw GatewayError(status: 400, message: "The server port '\(portText)' is not a port number.")
                }
                port = value
            }
        }
        if port == RequestURL.defaultPort(forScheme: scheme) { port = nil }

        let target = environment["REQUEST_URI"] ?? Self.reconstructTarget(environment)
        let (path, query) = try Self.splitTarget(target)

        let url = RequestURL(scheme: scheme, host: host, port: port, rawPath: path, rawQuery: query)
        let clientAddress = trusted ? Self.forwardedClient(headers["X-Forwarded-For"], trustedProxies: trustedProxies) ?? remoteAddress
            : remoteAddress
        let remoteUser = environment["REMOTE_USER"].flatMap { $0.isEmpty ? nil : $0 }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body, remoteAddress: clientAddress,
                                  remoteUser: remoteUser)
        let decodedPath: String
        do {
            decodedPath = try PercentEncoding.decode(path, plusIsSpace: false)
        } catch {
            throw GatewayError(status: 400, message: "The request path \(error.sentence).")
        }
        let mount = configuredMountPath ?? Self.mountPath(scriptName: environment["SCRIPT_NAME"], pathInfo: environment["PATH_INFO"],
                                                          path: decodedPath)
        return GatewayRequest(http: request, route: Self.route(decodedPath, below: mount), mountPath: mount, role: try Self.role(environment))
    }

    /// The request's header fields: the HTTP_ variables in name order, then CONTENT_TYPE, then REDIRECT_HTTP_AUTHORIZATION
    /// (where Apache's rewrite passes the Authorization header) when no Authorization came.
    static func headers(_ environment: GatewayEnvironment) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in environment.headerVariables {
            headers.add(headerName(fromVariable: String(name.dropFirst("HTTP_".count))), value)
        }
        if let contentType = environment["CONTENT_TYPE"], !contentType.isEmpty {
            headers.set("Content-Type", contentType)
        }
        if let redirected = environment["REDIRECT_HTTP_AUTHORIZATION"], !redirected.isEmpty, headers["Authorization"] == nil {
            headers.set("Authorization", redirected)
        }
        return headers
    }

    /// FCGI_ROLE as libfcgi reports it (FastCGI specification, section 6); a filter is refused, since the provider has
    /// nothing to filter.
    static func role(_ environment: GatewayEnvironment) throws(GatewayError) -> GatewayRole {
        switch environment["FCGI_ROLE"] {
        case nil, "RESPONDER":
            return .responder
        case "AUTHORIZER":
            let scopes = (environment["OAUTH_REQUIRED_SCOPE"] ?? "").split(separator: " ").map(String.init)
            return .authorizer(requiredScopes: scopes, allowsTwoLegged: environment["OAUTH_ALLOW_TWO_LEGGED"] == "on")
        case let role?:
            throw GatewayError(status: 400, message: "The FastCGI role \(role) is not supported; run the provider as a responder or an authorizer.")
        }
    }

    /// Whether a header value holds a control character other than tab.
    static func containsControlCharacter(_ value: String) -> Bool {
        value.utf8.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
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
        variable.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: "-")
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
