import FileAndSQLiteStore
import ProviderCore

/// The provider as a gate for resources other programs serve (the seed's "a resource server can be a different server"):
/// nginx's auth_request sends the original request's headers here with X-Original-URI and X-Original-Method; the answer is
/// 200 with the credential in X-OAuth-* headers, 401 with the OAuth problem in WWW-Authenticate, or 403 for a missing scope.
/// Only 2xx, 401 and 403 mean anything to auth_request, so every other refusal is reported as 401.
struct GateRoute {
    let application: Application
    let parts: Application.Parts
    let request: GatewayRequest

    func check() throws -> HTTPResponse {
        let http = request.http
        let realm = application.configuration.provider.realm
        guard let originalTarget = http.headers["X-Original-URI"], !originalTarget.isEmpty else {
            return refusal(OAuthError(.parameterAbsent, "The gate was called without X-Original-URI; set it in the auth_request location (see nginx/protect-upstream.conf)."), realm: realm)
        }
        let method = http.headers["X-Original-Method"] ?? "GET"
        let (path, query): (String, String?)
        do {
            (path, query) = try GatewayRequestDecoder.splitTarget(originalTarget)
        } catch {
            return refusal(OAuthError(.parameterRejected, "X-Original-URI is not a request target: \(error.message)"), realm: realm)
        }
        if FormURLEncoding.isFormMediaType(http.headers["X-Original-Content-Type"]),
           let length = http.headers["X-Original-Content-Length"].flatMap({ Int($0) }), length > 0 {
            return refusal(OAuthError(.signatureInvalid, "The gate sees no request body, so a request whose signature covers form-encoded body parameters cannot be checked here; send those parameters in the query, or call the provider's own endpoints."), realm: realm)
        }
        var headers = HTTPHeaders()
        for field in http.headers where !field.name.lowercased().hasPrefix("x-original-") && field.name.lowercased() != "content-type" {
            headers.add(field.name, field.value)
        }
        let original = HTTPRequest(method: method, url: RequestURL(scheme: http.url.scheme, host: http.url.host, port: http.url.port,
                                                                    rawPath: path, rawQuery: query),
                                   headers: headers, body: [], remoteAddress: http.remoteAddress)

        var required = [String]()
        if let fromQuery = try? FormURLEncoding.parse(http.url.rawQuery ?? "") {
            for parameter in fromQuery where parameter.name == "scope" { required += parameter.value.split(separator: " ").map(String.init) }
        }
        if let fromHeader = http.headers["X-OAuth-Required-Scope"] { required += fromHeader.split(separator: " ").map(String.init) }

        switch parts.protector.validate(original, requiredScopes: required) {
        case .failure(let refused):
            return refusal(refused.error, realm: realm, fallback: refused.response)
        case .success(let credential):
            var response = HTTPResponse(status: 200, headers: [("Cache-Control", "no-store")])
            response.headers.add("X-OAuth-Client-Id", credential.client.identifier)
            response.headers.add("X-OAuth-Scopes", credential.scopes.joined(separator: " "))
            if let userID = credential.userID {
                response.headers.add("X-OAuth-User-Id", userID)
                if let id = Int64(userID), let user = try parts.stores.users.user(id: id) {
                    response.headers.add("X-OAuth-Username", user.username)
                }
            }
            return response
        }
    }

    /// 403 for a missing scope, 401 for everything else, with the problem in WWW-Authenticate (the one header auth_request
    /// passes on) and in the body for direct callers.
    private func refusal(_ error: OAuthError?, realm: String, fallback: HTTPResponse? = nil) -> HTTPResponse {
        guard let error else { return fallback ?? .storageUnavailable }
        var response = error.response(realm: realm)
        response.status = error.code == .permissionDenied ? 403 : 401
        response.headers.set("WWW-Authenticate", "OAuth realm=\"\(realm.filter { $0 != "\"" && $0 != "\\" })\", oauth_problem=\"\(error.problem)\"")
        return response
    }
}
