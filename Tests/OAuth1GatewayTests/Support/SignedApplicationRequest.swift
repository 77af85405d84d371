@testable import OAuth1Gateway
import ProviderCore

extension Application {
    /// Answers `GET /oauth<route>` on provider.example:8080 carrying `authorization`, as the gateway would hand it over.
    func handleGET(_ route: String, authorization: String) -> HTTPResponse {
        let http = HTTPRequest(method: "GET", url: RequestURL(scheme: "http", host: "provider.example", port: 8080, rawPath: "/oauth" + route),
                               headers: [("Host", "provider.example:8080"), ("Authorization", authorization)])
        return handle(GatewayRequest(http: http, route: route, mountPath: "/oauth"))
    }
}
