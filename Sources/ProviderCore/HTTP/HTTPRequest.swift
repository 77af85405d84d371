/// One HTTP request as the provider sees it: method, the URL the client signed, headers and body.
public struct HTTPRequest: Sendable {
    /// The request method, as sent.
    public var method: String
    /// The external URL as the client saw it (RFC 5849 section 3.4.1.2).
    public var url: RequestURL
    /// The header fields, in order.
    public var headers: HTTPHeaders
    /// The entity-body bytes.
    public var body: [UInt8]
    /// The address of the peer that sent the request, when known.
    public var remoteAddress: String?
    /// The user the web server authenticated (CGI `REMOTE_USER`), when any.
    public var remoteUser: String?

    /// Creates a request from its parts.
    public init(method: String, url: RequestURL, headers: HTTPHeaders = [], body: [UInt8] = [],
                remoteAddress: String? = nil, remoteUser: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.remoteUser = remoteUser
    }

    /// The `Content-Type` header, when present.
    public var contentType: String? { headers["Content-Type"] }

    /// Whether the body is `application/x-www-form-urlencoded` and so part of the signature (RFC 5849 section 3.4.1.3.1).
    public var hasFormBody: Bool { FormURLEncoding.isFormMediaType(contentType) }
}
