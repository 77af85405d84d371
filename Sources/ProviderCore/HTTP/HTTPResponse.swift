/// One HTTP response as a value: status, headers, body.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response from its parts.
    public init(status: Int, headers: HTTPHeaders = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// A form-encoded credential response, never cached (RFC 5849 sections 2.1 and 2.3).
    public static func formEncoded(_ parameters: [Parameter], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status,
                     headers: [("Content-Type", "application/x-www-form-urlencoded"),
                               ("Cache-Control", "no-store"),
                               ("Pragma", "no-cache")],
                     body: Array(FormURLEncoding.serialize(parameters).utf8))
    }
}

extension HTTPResponse {
    /// The response when a store fails: 503, with a sentence that says to retry and nothing about the cause.
    public static let storageUnavailable = HTTPResponse(
        status: 503,
        headers: [("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", "1"), ("Cache-Control", "no-store")],
        body: Array("The provider's storage is temporarily unavailable; retry the request shortly.\n".utf8))
}
