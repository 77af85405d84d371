import ProviderCore

/// The `oauth_problem` values `/status` and `/metrics` count refusals by: RFC 5849's Problem Reporting codes the provider
/// sends, its `rate_limited`, and `other` for anything else.
enum StatusRefusal {
    /// Every counted problem, in the order of the shared counters.
    static let names: [String] = OAuthError.Code.allCases.map(\.rawValue) + ["rate_limited", "other"]

    private static let prefix = Array("oauth_problem=".utf8)

    /// The counter index of a refused response's `oauth_problem`, read from its form-encoded body (every OAuth refusal,
    /// the gate's included, starts its body with it); nil for a response that is not such a refusal.
    static func index(of response: HTTPResponse) -> Int? {
        guard response.status >= 400, response.body.count > prefix.count, response.body.starts(with: prefix) else { return nil }
        let value = response.body[prefix.count...].prefix { $0 != UInt8(ascii: "&") }
        let problem = String(decoding: value, as: UTF8.self)
        return names.firstIndex(of: problem) ?? names.count - 1
    }
}
