import ProviderCore
import ProviderStorage
import Synchronization

/// The provider as a function from request to response: routing, and the stores, servers and pages built lazily on first
/// use so a CGI process that needs none of them opens nothing.
public final class Application: Sendable {
    let configuration: AppConfiguration
    let pages: Pages
    /// The parts once built, and when this process last checked whether a purge is due.
    private let state = Mutex<(built: Parts?, lastPurgeCheck: Int64)>((built: nil, lastPurgeCheck: 0))
    let clock: any EpochClock

    /// What the application builds on first use.
    final class Parts: Sendable {
        let stores: ProviderStores
        let server: AuthorizationServer
        let protector: ResourceProtector
        let sessions: Sessions
        let anonymousForms: AnonymousForms

        init(stores: ProviderStores, server: AuthorizationServer, protector: ResourceProtector, sessions: Sessions,
             anonymousForms: AnonymousForms) {
            self.stores = stores
            self.server = server
            self.protector = protector
            self.sessions = sessions
            self.anonymousForms = anonymousForms
        }
    }

    /// An application for these settings; `clock` tells the time (tests set it).
    public init(configuration: AppConfiguration, clock: any EpochClock = SystemEpochClock()) {
        self.configuration = configuration
        self.clock = clock
        self.pages = Pages(overrideDirectory: configuration.templateDirectory, siteName: configuration.siteName)
    }

    /// Opens the stores and builds the servers, once.
    func parts() throws -> Parts {
        try state.withLock { state in
            if let built = state.built { return built }
            let stores = try ProviderStores.open(configuration.storage, clock: clock)
            let server = try AuthorizationServer(configuration: configuration.provider, clients: stores.clients,
                                                 temporaryCredentials: stores.temporaryCredentials, tokenCredentials: stores.tokenCredentials,
                                                 nonces: stores.nonces, clock: clock)
            let protector = try ResourceProtector(configuration: configuration.provider, clients: stores.clients,
                                                  tokenCredentials: stores.tokenCredentials, nonces: stores.nonces, clock: clock,
                                                  lookups: stores.backend.lookups)
            let key = try stores.backend.sessionSigningKey()
            let secureCookies = !configuration.allowsInsecureTransport
            let sessions = Sessions(store: stores.sessions, key: key, lifetime: configuration.sessionLifetime, secureCookies: secureCookies)
            let anonymousForms = AnonymousForms(key: key, lifetime: configuration.sessionLifetime, secureCookies: secureCookies, clock: clock)
            let parts = Parts(stores: stores, server: server, protector: protector, sessions: sessions, anonymousForms: anonymousForms)
            state.built = parts
            return parts
        }
    }

    /// Answers one request; never throws: bad input becomes a 4xx with a sentence, a failing store a 503.
    func handle(_ request: GatewayRequest) -> HTTPResponse {
        do {
            return try route(request)
        } catch let error as OAuthError {
            return error.response(realm: configuration.provider.realm)
        } catch let error as MalformedPageInput {
            return error.response(pages)
        } catch {
            Log.error("\(request.http.method) \(request.route) failed: \(error)")
            return .storageUnavailable
        }
    }

    /// The browser pages a REMOTE_USER may land on first.
    private static let browserPages: Set<String> = ["/", "/login", "/authorize", "/developer", "/developer/new", "/developer/client",
                                                    "/account/applications", "/account/password"]

    private func route(_ request: GatewayRequest) throws -> HTTPResponse {
        if case .authorizer(let scopes, let twoLegged) = request.role {
            return try GateRoute(application: self, parts: try parts(), request: request).authorize(requiredScopes: scopes,
                                                                                                    allowsTwoLegged: twoLegged)
        }
        let method = request.http.method
        if configuration.trustsRemoteUser, request.http.remoteUser != nil, Self.browserPages.contains(request.route),
           let response = try BrowserRoutes(application: self, parts: try parts(), request: request).remoteUserSession() {
            return response
        }
        switch request.route {
        case "/initiate":
            guard method == "POST" else { return .methodNotAllowed(["POST"]) }
            let parts = try parts()
            let limit = InitiateRateLimit(throttle: parts.stores.loginThrottle, clientPolicy: configuration.initiateClientPolicy,
                                          addressPolicy: configuration.initiateAddressPolicy)
            return try oauthResponse(request) { _ in
                try limit.admit(request.http) { parts.server.createTemporaryCredentialResponse(request.http) }
            }
        case "/token":
            guard method == "POST" else { return .methodNotAllowed(["POST"]) }
            return try oauthResponse(request) { parts in
                let response = parts.server.createTokenResponse(request.http)
                auditTokenIssued(request, response, parts)
                return response
            }
        case "/auth":
            // Any method: auth_request subrequests may carry the original request's method.
            return try GateRoute(application: self, parts: try parts(), request: request).check()
        case "/user":
            guard method == "GET" || method == "POST" else { return .methodNotAllowed(["GET", "POST"]) }
            return try userResource(request)
        case "/whoami":
            guard method == "GET" || method == "POST" else { return .methodNotAllowed(["GET", "POST"]) }
            return try whoami(request)
        case "/authorize":
            guard method == "GET" || method == "POST" else { return .methodNotAllowed(["GET", "POST"]) }
            return try BrowserRoutes(application: self, parts: try parts(), request: request).authorize()
        case "/login":
            guard method == "GET" || method == "POST" else { return .methodNotAllowed(["GET", "POST"]) }
            return try BrowserRoutes(application: self, parts: try parts(), request: request).login()
        case "/signup":
            guard configuration.signupEnabled else {
                return .text("Sign-up is closed on this site; ask its administrator for an account.", status: 404)
            }
            guard method == "GET" || method == "POST" else { return .methodNotAllowed(["GET", "POST"]) }
            return try BrowserRoutes(application: self, parts: try parts(), request: request).signup()
        case "/logout":
            guard method == "POST" else { return .methodNotAllowed(["POST"]) }
            return try BrowserRoutes(application: self, parts: try parts(), request: request).logout()
        case "/developer":
            guard method == "GET" else { return .methodNotAllowed(["GET"]) }
            return try developer(request).list()
        case "/developer/new":
            guard method == "GET" || method == "POST" else { return .methodNotAllowed(["GET", "POST"]) }
            return try developer(request).register()
        case "/developer/client":
            guard method == "GET" || method == "POST" else { return .methodNotAllowed(["GET", "POST"]) }
            return try developer(request).edit()
        case "/developer/client/rotate", "/developer/client/toggle", "/developer/client/delete":
            guard method == "POST" else { return .methodNotAllowed(["POST"]) }
            return try developer(request).act(String(request.route.split(separator: "/").last ?? ""))
        case "/account/applications":
            guard method == "GET" else { return .methodNotAllowed(["GET"]) }
            return try account(request).applications()
        case "/account/password":
            guard method == "GET" || method == "POST" else { return .methodNotAllowed(["GET", "POST"]) }
            return try account(request).password()
        case "/account/sessions/revoke":
            guard method == "POST" else { return .methodNotAllowed(["POST"]) }
            return try account(request).signOutEverywhere()
        case "/account/applications/revoke":
            guard method == "POST" else { return .methodNotAllowed(["POST"]) }
            return try account(request).revoke()
        case "/":
            guard method == "GET" else { return .methodNotAllowed(["GET"]) }
            return try BrowserRoutes(application: self, parts: try parts(), request: request).home()
        case "/health":
            guard method == "GET" else { return .methodNotAllowed(["GET"]) }
            return try health()
        default:
            return .text("There is no endpoint at \(request.route); the provider's routes are listed in its docs/protocol.md.", status: 404)
        }
    }

    private func developer(_ request: GatewayRequest) throws -> DeveloperRoutes {
        let parts = try parts()
        return DeveloperRoutes(application: self, parts: parts, request: request,
                               browser: BrowserRoutes(application: self, parts: parts, request: request))
    }

    private func account(_ request: GatewayRequest) throws -> AccountRoutes {
        let parts = try parts()
        return AccountRoutes(application: self, parts: parts, request: request,
                             browser: BrowserRoutes(application: self, parts: parts, request: request))
    }

    /// Runs an OAuth endpoint and logs a refused signature's base string at debug level (never a secret).
    private func oauthResponse(_ request: GatewayRequest, _ body: (Parts) throws -> HTTPResponse) throws -> HTTPResponse {
        let response = try body(try parts())
        if response.status >= 400 { logRefusal(request, response) }
        return response
    }

    private func userResource(_ request: GatewayRequest) throws -> HTTPResponse {
        let parts = try parts()
        switch parts.protector.validate(request.http, requiredScopes: configuration.userScope.map { [$0] } ?? []) {
        case .failure(let refusal):
            logRefusal(request, refusal.response)
            return refusal.response
        case .success(let credential):
            guard let userID = credential.userID.flatMap({ Int64($0) }), let user = try parts.stores.users.cachedUser(id: userID) else {
                return OAuthError(.permissionDenied, "This resource describes a user; sign the request with a token credential the user granted.")
                    .response(realm: configuration.provider.realm)
            }
            return .json(JSON.object([("id", String(user.id)), ("username", JSON.string(user.username))]))
        }
    }

    /// Who signed the request: the client, and the user when a token credential signed it. Two-legged requests (LTI
    /// launches, server-to-server calls) from clients allowed them land here too, form-encoded bodies included.
    private func whoami(_ request: GatewayRequest) throws -> HTTPResponse {
        let parts = try parts()
        switch parts.protector.validate(request.http, requiredScopes: []) {
        case .failure(let refusal):
            logRefusal(request, refusal.response)
            return refusal.response
        case .success(let credential):
            var user = "null"
            if let userID = credential.userID.flatMap({ Int64($0) }), let record = try parts.stores.users.user(id: userID) {
                user = JSON.object([("id", String(record.id)), ("username", JSON.string(record.username))])
            }
            return .json(JSON.object([("client_id", JSON.string(credential.client.identifier)), ("client_name", JSON.string(credential.client.name)),
                                      ("user", user), ("scopes", "[" + credential.scopes.map(JSON.string).joined(separator: ", ") + "]")]))
        }
    }

    private func health() throws -> HTTPResponse {
        do {
            let stores = try parts().stores
            let version = try stores.checkHealth()
            return .json(JSON.object([("status", JSON.string("ok")), ("schema_version", String(version)),
                                      ("database", JSON.string(stores.backend.kind)),
                                      ("nonces", JSON.string(stores.expiringBackend?.kind ?? stores.backend.kind))]))
        } catch {
            Log.error("health check failed: \(error)")
            var response = HTTPResponse.json(JSON.object([("status", JSON.string("unavailable"))]), status: 503)
            response.headers.add("Retry-After", "1")
            return response
        }
    }

    private func logRefusal(_ request: GatewayRequest, _ response: HTTPResponse) {
        Log.debug("\(request.http.method) \(request.route) refused \(response.status): \(response.bodyText)")
        if response.bodyText.hasPrefix("oauth_problem=signature_invalid"), let parameters = try? RequestParameters(request.http) {
            // The verifier is a one-time secret: the logged base string carries a stand-in for it.
            let logged = parameters.signedParameters.map { $0.name == "oauth_verifier" ? Parameter($0.name, "[verifier]") : $0 }
            Log.debug("signature base string: \(SignatureBaseString.make(method: request.http.method, url: request.http.url, parameters: logged))")
        }
    }

    /// Housekeeping once a response has gone out: WAL checkpoints when due (main and nonce database), then the purge check.
    func afterResponse() {
        state.withLock { $0.built }?.stores.backend.afterResponse()
        purgeIfDue()
    }

    /// Purges expired state if this process has not checked within the interval; the store lets one process of many do the work.
    func purgeIfDue() {
        let now = clock.now()
        let due = state.withLock { state in
            guard now - state.lastPurgeCheck >= configuration.purgeInterval, state.built != nil else { return false }
            state.lastPurgeCheck = now
            return true
        }
        guard due else { return }
        do {
            if let report = try parts().stores.purgeIfDue(interval: configuration.purgeInterval) {
                Log.info("purged \(report.nonces) nonces, \(report.temporaryCredentials) temporary credentials, \(report.sessions) sessions")
            }
        } catch {
            Log.error("purge failed: \(error)")
        }
    }
}
