import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Testing

/// `/initiate` is limited per client (temporary credentials issued) and per address (every request), with 429,
/// `Retry-After` and `oauth_problem=rate_limited`.
@Suite struct InitiateRateLimitTests {
    /// POST /initiate from `address`, signed by oauthlib with `secret` for the client `printer`, or unsigned when nil.
    func initiate(_ fixture: ApplicationTests.Fixture, secret: String?, from address: String) throws -> HTTPResponse {
        var headers: [(String, String)] = [("Host", "provider.example:8080")]
        if let secret {
            headers.append(("Authorization", try OAuthlibSigner.authorizationHeader(url: "http://provider.example:8080/oauth/initiate",
                                                                                   clientID: "printer", clientSecret: secret)))
        }
        let http = HTTPRequest(method: "POST", url: RequestURL(scheme: "http", host: "provider.example", port: 8080, rawPath: "/oauth/initiate"),
                               headers: HTTPHeaders(headers), remoteAddress: address)
        return fixture.application.handle(GatewayRequest(http: http, route: "/initiate", mountPath: "/oauth"))
    }

    func expectRateLimited(_ response: HTTPResponse) {
        #expect(response.status == 429, "\(response.status) \(response.bodyText)")
        #expect(response.bodyText.hasPrefix("oauth_problem=rate_limited&oauth_problem_advice="), "\(response.bodyText)")
        let wait = Int(response.headers.values(for: "Retry-After").first ?? "") ?? 0
        #expect(wait > 0 && wait <= 60, "Retry-After \(wait)")
    }

    @Test func aClientGetsItsLimitOfTemporaryCredentialsAndRefusedSignaturesDoNotCount() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_INITIATE_LIMIT_PER_CLIENT": "2", "OAUTH1_INITIATE_LIMIT_PER_ADDRESS": "0"])
        try fixture.application.parts().stores.clients.register(name: "Printer", identifier: "printer", secret: "printer-secret")
        for index in 0..<3 {
            // Someone without the secret cannot use up the client's allowance.
            #expect(try initiate(fixture, secret: "guessed", from: "192.0.2.\(index)").status == 401)
        }
        #expect(try initiate(fixture, secret: "printer-secret", from: "192.0.2.10").status == 200)
        #expect(try initiate(fixture, secret: "printer-secret", from: "192.0.2.11").status == 200)
        expectRateLimited(try initiate(fixture, secret: "printer-secret", from: "192.0.2.12"))
    }

    @Test func anAddressIsLimitedForEveryRequestAndOthersAreNot() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_INITIATE_LIMIT_PER_CLIENT": "0", "OAUTH1_INITIATE_LIMIT_PER_ADDRESS": "3"])
        try fixture.application.parts().stores.clients.register(name: "Printer", identifier: "printer", secret: "printer-secret")
        for _ in 0..<3 { #expect(try initiate(fixture, secret: nil, from: "198.51.100.7").status == 400) }
        expectRateLimited(try initiate(fixture, secret: "printer-secret", from: "198.51.100.7"))
        #expect(try initiate(fixture, secret: "printer-secret", from: "198.51.100.8").status == 200)
    }

    @Test func limitsAreSettingsAndZeroTurnsThemOff() throws {
        let fixture = try ApplicationTests.Fixture(settings: ["OAUTH1_INITIATE_LIMIT_PER_CLIENT": "0", "OAUTH1_INITIATE_LIMIT_PER_ADDRESS": "0"])
        for _ in 0..<5 { #expect(try initiate(fixture, secret: nil, from: "203.0.113.1").status == 400) }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(ConfigurationSource(values: ["OAUTH1_INITIATE_WINDOW": "0"], file: nil))
        }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(ConfigurationSource(values: ["OAUTH1_INITIATE_LIMIT_PER_CLIENT": "-1"], file: nil))
        }
    }
}
