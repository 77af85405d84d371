/// The request URL as the client saw it: what RFC 5849 section 3.4.1.2 builds the base string URI from.
public struct RequestURL: Sendable, Hashable {
    /// The scheme, `http` or `https`, in any case.
    public var scheme: String
    /// The host as sent in the `Host` header; an IPv6 literal keeps its brackets.
    public var host: String
    /// The port the client used, or nil when it used the scheme's default.
    public var port: Int?
    /// The path exactly as sent on the request line, still percent-encoded.
    public var rawPath: String
    /// The query exactly as sent, without the `?`, or nil when there was none.
    public var rawQuery: String?

    /// Creates a URL from its parts.
    public init(scheme: String, host: String, port: Int? = nil, rawPath: String, rawQuery: String? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.rawPath = rawPath.isEmpty ? "/" : rawPath
        self.rawQuery = rawQuery
    }

    /// Parses an absolute `http` or `https` URL such as `https://photos.example.net:8443/photos?size=original`; nil when it is not one.
    public init?(_ string: String) {
        let bytes = Array(string.utf8)
        guard let schemeEnd = string.firstRange(of: "://") else { return nil }
        let scheme = String(string[string.startIndex..<schemeEnd.lowerBound])
        guard ["http", "https"].contains(scheme.lowercased()) else { return nil }
        let afterScheme = string.utf8.distance(from: string.startIndex, to: schemeEnd.upperBound)
        var authorityEnd = afterScheme
        while authorityEnd < bytes.count, bytes[authorityEnd] != UInt8(ascii: "/"),
              bytes[authorityEnd] != UInt8(ascii: "?"), bytes[authorityEnd] != UInt8(ascii: "#") {
            authorityEnd += 1
        }
        let authority = String(decoding: bytes[afterScheme..<authorityEnd], as: UTF8.self)
        guard let (host, port) = Self.splitAuthority(authority) else { return nil }
        var rest = String(decoding: bytes[authorityEnd...], as: UTF8.self)
        if let hash = rest.firstIndex(of: "#") { rest = String(rest[..<hash]) }
        let path: String
        let query: String?
        if let question = rest.firstIndex(of: "?") {
            path = String(rest[..<question])
            query = String(rest[rest.index(after: question)...])
        } else {
            path = rest
            query = nil
        }
        self.init(scheme: scheme, host: host, port: port, rawPath: path, rawQuery: query)
    }

    /// Splits `host[:port]` (IPv6 in brackets) into host and port; nil when the port is not a number in 1...65535 or the host is empty or holds userinfo.
    public static func splitAuthority(_ authority: String) -> (host: String, port: Int?)? {
        guard !authority.isEmpty, !authority.utf8.contains(UInt8(ascii: "@")) else { return nil }
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.utf8.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.utf8.lastIndex(of: UInt8(ascii: ":")) {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty, host != "[]" else { return nil }
        guard let portText else { return (host, nil) }
        if portText.isEmpty { return (host, nil) }
        guard portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let port = Int(portText), (1...65535).contains(port) else { return nil }
        return (host, port)
    }

    /// The default port of a scheme: 80 for http, 443 for https.
    public static func defaultPort(forScheme scheme: String) -> Int? {
        // Compared in place: no character but ASCII lowercases to h, t, p or s, so this is `scheme.lowercased()` compared.
        // The lowercase spellings, the usual ones, are matched by String equality first.
        if scheme == "http" { return 80 }
        if scheme == "https" { return 443 }
        if scheme.isASCIICaseInsensitiveEqual(to: "http") { return 80 }
        if scheme.isASCIICaseInsensitiveEqual(to: "https") { return 443 }
        return nil
    }

    /// The port the connection used: the explicit one, else the scheme's default.
    public var effectivePort: Int? { port ?? Self.defaultPort(forScheme: scheme) }

    /// The URL as a string: scheme, authority, raw path and raw query.
    public var absoluteString: String {
        var text = "\(scheme)://\(host)"
        if let port { text += ":\(port)" }
        text += rawPath
        if let rawQuery { text += "?\(rawQuery)" }
        return text
    }
}
