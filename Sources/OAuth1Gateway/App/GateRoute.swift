import ProviderStorage
import ProviderCore

/// The provider as a gate for resources other programs serve (the seed's "a resource server can be a different server").
/// Two hooks ask it: nginx's auth_request sends the original request's headers to `GET /auth` with X-Original-URI and
/// X-Original-Method, and Apache's mod_authnz_fcgi sends the original request itself in the FastCGI Authorizer role. Either
/// way the answer is 200 with the credential (X-OAuth-* headers for nginx, Variable-OAUTH_* for Apache), 401 with the OAuth
/// problem in WWW-Authenticate, or 403 for a missing scope. Only those three mean anything to the hooks, so every other
/// refusal is reported as 401. A gated location admits only token credentials unless it opts in to two-legged requests,
/// since any developer may flag their own client for two-legged access.
struct GateRoute {
    let application: Application
    let parts: Application.Parts
    let request: GatewayRequest

    private var realm: String { application.configuration.provider.realm }

    /// `GET /auth` for nginx's auth_request: the original request is described by X-Original-* headers.
    func check() throws -> HTTPResponse {
        let http = request.http
        guard let originalTarget = http.headers["X-Original-URI"], !originalTarget.isEmpty else {
            return refusal(OAuthError(.parameterAbsent, "The gate was called without X-Original-URI; set it in the auth_request location (see nginx/protect-upstream.conf)."))
        }
        let method = http.headers["X-Original-Method"] ?? "GET"
        let (path, query): (String, String?)
        do {
            (path, query) = try GatewayRequestDecoder.splitTarget(originalTarget)
        } catch {
            return refusal(OAuthError(.parameterRejected, "X-Original-URI is not a request target: \(error.message)"))
        }
        if FormURLEncoding.isFormMediaType(http.headers["X-Original-Content-Type"]),
           let length = http.headers["X-Original-Content-Length"].flatMap({ Int($0) }), length > 0 {
            return refusal(Self.unseenFormBody)
        }
        var headers = HTTPHeaders()
        for field in http.headers where !field.name.lowercased().hasPrefix("x-original-") && field.name.lowercased() != "content-type" {
            headers.add(field.name, field.value)
        }
        let original = HTTPRequest(method: method, url: RequestURL(scheme: http.url.scheme, host: http.url.host, port: http.url.port,
                                                                    rawPath: path, rawQuery: query),
                                   headers: headers, body: [], remoteAddress: http.remoteAddress)

        var required = [String]()
        let gateQuery: [Parameter]
        do {
            gateQuery = try FormURLEncoding.parse(http.url.rawQuery ?? "")
        } catch {
            // The query may name required scopes: one that cannot be read must refuse, never drop the scope.
            return refusal(OAuthError(.parameterRejected, "The gate's own query string \(error.sentence); fix the auth_request URI in the web server's configuration.",
                                      details: [Parameter("oauth_parameters_rejected", "scope")]))
        }
        for parameter in gateQuery where parameter.name == "scope" { required += parameter.value.split(separator: " ").map(String.init) }
        if let fromHeader = http.headers["X-OAuth-Required-Scope"] { required += fromHeader.split(separator: " ").map(String.init) }
        return try verdict(original, requiredScopes: required, allowsTwoLegged: http.headers["X-OAuth-Allow-Two-Legged"] == "on",
                           headerPrefix: "X-OAuth-", names: Self.nginxNames)
    }

    /// The FastCGI Authorizer role (Apache mod_authnz_fcgi): the request in hand is the original one, without its body.
    func authorize(requiredScopes: [String], allowsTwoLegged: Bool) throws -> HTTPResponse {
        let http = request.http
        // The web server keeps the body for the responder and drops CONTENT_LENGTH, so a form body can only be inferred.
        if FormURLEncoding.isFormMediaType(http.headers["Content-Type"]), !["GET", "HEAD", "DELETE", "OPTIONS"].contains(http.method) {
            return refusal(Self.unseenFormBody)
        }
        return try verdict(http, requiredScopes: requiredScopes, allowsTwoLegged: allowsTwoLegged, headerPrefix: "Variable-",
                           names: Self.apacheNames)
    }

    private static let unseenFormBody = OAuthError(.signatureInvalid, "The gate sees no request body, so a request whose signature covers form-encoded body parameters cannot be checked here; send those parameters in the query, or call the provider's own endpoints.")

    /// Header names after the prefix: user id, username, client id, scopes.
    private static let nginxNames = ("User-Id", "Username", "Client-Id", "Scopes")
    private static let apacheNames = ("OAUTH_USER_ID", "OAUTH_USERNAME", "OAUTH_CLIENT_ID", "OAUTH_SCOPES")

    private func verdict(_ original: HTTPRequest, requiredScopes: [String], allowsTwoLegged: Bool, headerPrefix: String,
                         names: (String, String, String, String)) throws -> HTTPResponse {
        switch parts.protector.validate(original, requiredScopes: requiredScopes) {
        case .failure(let refused):
            return refusal(refused.error, fallback: refused.response)
        case .success(let credential) where credential.token == nil && !allowsTwoLegged:
            return refusal(OAuthError(.parameterAbsent, "This location admits only requests signed with a token credential (oauth_token); it does not accept two-legged requests.",
                                      details: [Parameter("oauth_parameters_absent", "oauth_token")]))
        case .success(let credential):
            var response = HTTPResponse(status: 200, headers: [("Cache-Control", "no-store")])
            response.headers.add(headerPrefix + names.2, credential.client.identifier)
            response.headers.add(headerPrefix + names.3, credential.scopes.joined(separator: " "))
            if let userID = credential.userID {
                response.headers.add(headerPrefix + names.0, userID)
                if let id = Int64(userID), let user = try parts.stores.users.user(id: id) {
                    response.headers.add(headerPrefix + names.1, user.username)
                }
            }
            return response
        }
    }

    /// 403 for a missing scope, 401 for everything else, with the problem in WWW-Authenticate (the one header auth_request
    /// passes on) and in the body for direct callers.
    private func refusal(_ error: OAuthError?, fallback: HTTPResponse? = nil) -> HTTPResponse {
        guard let error else { return fallback ?? .storageUnavailable }
        var response = error.response(realm: realm)
        response.status = error.code == .permissionDenied ? 403 : 401
        response.headers.set("WWW-Authenticate", "OAuth realm=\"\(realm.filter { $0 != "\"" && $0 != "\\" })\", oauth_problem=\"\(error.problem)\"")
        return response
    }
}
