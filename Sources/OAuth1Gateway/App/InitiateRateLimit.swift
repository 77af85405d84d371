import ProviderCore
import ProviderStorage

/// The limits on `/initiate`, the one endpoint anyone can make write a record (a temporary credential) at will: per client
/// address, every request counts, signed or not; per client, only the temporary credentials actually issued count, so
/// that nobody without the client's secret can use up its allowance. The counters live with the sign-in counters in the
/// database, so every worker and host shares them.
struct InitiateRateLimit {
    let throttle: any LoginThrottle
    let clientPolicy: LoginThrottlePolicy?
    let addressPolicy: LoginThrottlePolicy?

    /// Answers `issue`'s response, or 429 with `Retry-After` while the request's address or named client is at its
    /// limit; counts the request against both.
    func admit(_ request: HTTPRequest, issue: () -> HTTPResponse) throws -> HTTPResponse {
        let address = addressPolicy.flatMap { policy in request.remoteAddress.map { (subject: "initiate-address:" + $0, policy: policy) } }
        let client = clientPolicy.flatMap { policy in Self.consumerKey(request).map { (subject: "initiate-client:" + $0, policy: policy) } }
        let subjects = [address, client].compactMap { $0 }
        if subjects.isEmpty { return issue() }
        if let wait = try throttle.lockedFor(subjects.map(\.subject)) {
            return Self.refusal(wait: wait)
        }
        if let address { try throttle.recordFailure([address]) }
        let response = issue()
        if let client, response.status == 200 { try throttle.recordFailure([client]) }
        return response
    }

    /// The `oauth_consumer_key` the request names, wherever it carries it; nil when it names none or is malformed.
    private static func consumerKey(_ request: HTTPRequest) -> String? {
        guard let key = (try? RequestParameters(request))?[protocolParameter: "oauth_consumer_key"], !key.isEmpty else { return nil }
        return String(key.prefix(256))
    }

    /// 429 in the form RFC 5849 section 3.2's errors take, with the OAuth Problem Reporting extension's fields.
    static func refusal(wait: Int64) -> HTTPResponse {
        var response = HTTPResponse.formEncoded([
            Parameter("oauth_problem", "rate_limited"),
            Parameter("oauth_problem_advice", "Too many temporary credential requests from this client or address; wait \(wait) seconds before the next one."),
        ], status: 429)
        response.headers.add("Retry-After", String(wait))
        return response
    }
}
