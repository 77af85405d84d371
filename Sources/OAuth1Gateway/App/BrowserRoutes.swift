import ProviderStorage
import ProviderCore

/// The pages a person uses: sign in, the consent page of RFC 5849 section 2.2, sign out. Every form carries a CSRF token (the
/// session's, or before sign-in an `AnonymousFormToken` that nothing stores), every POST checks it (and a cross-origin
/// Origin header), and every page forbids framing.
struct BrowserRoutes {
    let application: Application
    let parts: Application.Parts
    let request: GatewayRequest

    private var http: HTTPRequest { request.http }
    private var pages: Pages { application.pages }
    private func url(_ route: String) -> String { request.mountPath + route }

    // MARK: Sign in and out

    func login() throws -> HTTPResponse {
        if let refusal = transportRefusal() { return refusal }
        if http.method == "GET" {
            let next = Self.safeNext(try query().first { $0.name == "next" }?.value, mountPath: request.mountPath) ?? url("/")
            if let session = try parts.sessions.current(http), session.record.userID != nil {
                return .seeOther(next)
            }
            return try loginForm(next: next, username: "", error: nil, status: 200)
        }
        let form = try formFields()
        let next = Self.safeNext(form["next"], mountPath: request.mountPath) ?? url("/")
        guard anonymousFormValid(form) else {
            return try loginForm(next: next, username: form["username"] ?? "",
                                 error: "Your sign-in form expired or came from another site. Please try again.", status: 403)
        }
        let username = form["username"] ?? ""
        let configuration = application.configuration
        let userSubject = "user:" + String(username.lowercased().prefix(64))
        var subjects = [(subject: userSubject, policy: configuration.usernameLoginPolicy)]
        if let address = http.remoteAddress { subjects.append((subject: "address:" + address, policy: configuration.addressLoginPolicy)) }
        if let wait = try parts.stores.loginThrottle.lockedFor(subjects.map(\.subject)) {
            var response = try loginForm(next: next, username: username,
                                         error: "Too many failed sign-ins. Try again in \(wait) seconds.", status: 429)
            response.headers.add("Retry-After", String(wait))
            return response
        }
        guard let user = try parts.stores.users.authenticate(username: username, password: form["password"] ?? "") else {
            try parts.stores.loginThrottle.recordFailure(subjects)
            Log.info("failed sign-in for a username from \(http.remoteAddress ?? "an unknown address")")
            // The user only when the name is an account's: a mistyped name may be a password.
            application.audit(.signInFailed, request, user: try parts.stores.users.user(username: username)?.id)
            return try loginForm(next: next, username: username, error: "Wrong username or password.", status: 401)
        }
        try parts.stores.loginThrottle.reset(userSubject)
        let cookies = try startSession(userID: user.id)
        Log.info("user \(user.id) signed in")
        application.audit(.signIn, request, user: user.id)
        return .seeOther(next, cookies: cookies)
    }

    /// The sign-up page (OAUTH1_SIGNUP=true): creates the account, signs it in, and counts sign-ups per address like failed sign-ins.
    func signup() throws -> HTTPResponse {
        if let refusal = transportRefusal() { return refusal }
        let query = try query()
        if http.method == "GET" {
            let next = Self.safeNext(query.first { $0.name == "next" }?.value, mountPath: request.mountPath) ?? url("/")
            return try signupForm(next: next, username: "", error: nil, status: 200)
        }
        let form = try formFields()
        let next = Self.safeNext(form["next"], mountPath: request.mountPath) ?? url("/")
        let username = form["username"] ?? ""
        guard anonymousFormValid(form) else {
            return try signupForm(next: next, username: username, error: "Your form expired or came from another site. Please try again.", status: 403)
        }
        let subject = [(subject: "signup:" + (http.remoteAddress ?? "unknown"), policy: application.configuration.addressLoginPolicy)]
        if let wait = try parts.stores.loginThrottle.lockedFor(subject.map(\.subject)) {
            return try signupForm(next: next, username: username, error: "Too many accounts were created from your address. Try again in \(wait) seconds.", status: 429)
        }
        guard form["password"] == form["confirm"] else {
            return try signupForm(next: next, username: username, error: "The two passwords differ.", status: 400)
        }
        let user: UserRecord
        do {
            user = try parts.stores.users.create(username: username, password: form["password"] ?? "")
        } catch let error as StoreInputError {
            return try signupForm(next: next, username: username, error: DeveloperRoutes.sentence(error.message), status: 400)
        }
        try parts.stores.loginThrottle.recordFailure(subject)
        let cookies = try startSession(userID: user.id)
        Log.info("user \(user.id) signed up")
        return .seeOther(next, cookies: cookies)
    }

    /// Ends whatever session the request had (no fixation), starts the user's, and drops the form token's cookie: signed in,
    /// forms carry the session's own CSRF token. Returns the Set-Cookie lines.
    private func startSession(userID: Int64) throws -> [String] {
        if let previous = try parts.sessions.current(http) { try parts.sessions.end(previous) }
        let (_, cookie) = try parts.sessions.start(userID: userID, mountPath: request.mountPath)
        return [cookie, parts.anonymousForms.clearingCookie(mountPath: request.mountPath)]
    }

    private func signupForm(next: String, username: String, error: String?, status: Int) throws -> HTTPResponse {
        let (token, cookie) = parts.anonymousForms.tokenForForm(http, mountPath: request.mountPath)
        var values: [String: Any] = ["title": "Create an account", "action": url("/signup"), "next": next, "username": username,
                                     "csrfToken": token.random, "loginLink": url("/login")]
        if let error { values["error"] = error }
        var response = pages.render("signup", values, status: status)
        if let cookie { response.headers.add("Set-Cookie", cookie) }
        return response
    }

    /// With OAUTH1_TRUST_REMOTE_USER, a GET from a user the web server authenticated starts (or switches to) that user's
    /// session and reloads the page with the new cookie; nil when there is nothing to do.
    func remoteUserSession() throws -> HTTPResponse? {
        guard application.configuration.trustsRemoteUser, http.method == "GET", let remote = http.remoteUser else { return nil }
        let user: UserRecord
        do {
            user = try parts.stores.users.externalUser(username: remote)
        } catch let error as StoreInputError {
            return pages.error(403, heading: "This account cannot be used here", message: DeveloperRoutes.sentence(error.message))
        }
        let current = try parts.sessions.current(http)
        if current?.record.userID == user.id { return nil }
        if let current { try parts.sessions.end(current) }
        let (_, cookie) = try parts.sessions.start(userID: user.id, mountPath: request.mountPath)
        application.audit(.signIn, request, user: user.id)
        var target = http.url.rawPath + (http.url.rawQuery.map { "?" + $0 } ?? "")
        if request.route == "/login" {
            target = Self.safeNext(try query().first { $0.name == "next" }?.value, mountPath: request.mountPath) ?? url("/")
        }
        return .seeOther(target, cookies: [cookie])
    }

    func logout() throws -> HTTPResponse {
        let form = try formFields()
        guard let session = try parts.sessions.current(http) else {
            return .seeOther(url("/login"), cookies: [parts.sessions.clearingCookie(mountPath: request.mountPath)])
        }
        guard try csrfValid(form, session) else { return csrfRefusal() }
        try parts.sessions.end(session)
        var response = pages.render("signed-out", ["title": "Signed out"])
        response.headers.add("Set-Cookie", parts.sessions.clearingCookie(mountPath: request.mountPath))
        return response
    }

    func home() throws -> HTTPResponse {
        guard let (session, user) = try signedIn() else { return .seeOther(url("/login")) }
        return pages.render("home", ["title": "Signed in", "username": user.username, "csrfToken": session.record.csrfToken,
                                     "logoutAction": url("/logout"), "passwordLink": url("/account/password"),
                                     "everywhereAction": url("/account/sessions/revoke"), "applicationsLink": url("/account/applications"),
                                     "developerLink": url("/developer")], navigation: navigation(session))
    }

    // MARK: Consent (RFC 5849 section 2.2)

    func authorize() throws -> HTTPResponse {
        if let refusal = transportRefusal() { return refusal }
        if http.method == "GET" {
            let token: String
            do {
                token = try parts.server.authorizationToken(in: http)
            } catch {
                return pages.error(400, heading: "This link is incomplete", message: error.message, code: error.problem)
            }
            guard let (session, user) = try signedIn() else {
                // The sign-in page goes back only to a `next` that `safeNext` accepts: refuse here what it would drop.
                guard let next = Self.safeNext(http.url.rawPath + "?" + (http.url.rawQuery ?? ""), mountPath: request.mountPath) else {
                    return pages.error(400, heading: "This link cannot be followed after you sign in",
                                       message: "An authorization link must be at most \(Self.maximumNextLength) bytes of printable ASCII. Go back to the application and start again.")
                }
                return .seeOther(url("/login") + "?next=" + PercentEncoding.encode(next))
            }
            do {
                let pending = try parts.server.checkAuthorizationRequest(token: token)
                return consentPage(pending, session: session, user: user)
            } catch let error as OAuthError {
                return pages.error(400, heading: "This authorization request cannot be used", message: error.message, code: error.problem)
            }
        }

        let form = try formFields()
        guard let (session, user) = try signedIn() else {
            return pages.error(403, heading: "Please sign in again", message: "Your session ended before you decided. Go back to the application and start again.")
        }
        guard try csrfValid(form, session) else { return csrfRefusal() }
        guard let token = form["oauth_token"], !token.isEmpty else {
            return pages.error(400, heading: "This form is incomplete", message: "The form did not carry oauth_token.", code: "parameter_absent")
        }
        let approve: Bool
        switch form["decision"] {
        case "approve": approve = true
        case "deny": approve = false
        default: return pages.error(400, heading: "This form is incomplete", message: "Choose Allow or Deny.", code: "parameter_absent")
        }
        do {
            let pending = try parts.server.checkAuthorizationRequest(token: token)
            let checked = try formPairs().filter { $0.name == "scope" }.map(\.value)
            let decision = try parts.server.authorize(token: token, userID: approve ? String(user.id) : nil,
                                                      grantedScopes: approve ? checked : nil)
            Log.info("user \(user.id) \(approve ? "approved" : "denied") client \(pending.clientIdentifier)")
            application.audit(approve ? .consentGranted : .consentDenied, request, user: user.id, client: pending.clientIdentifier)
            if var redirect = decision.redirectResponse {
                for (name, value) in HTTPResponse.pageSecurityHeaders where name != "Content-Type" { redirect.headers.set(name, value) }
                return redirect
            }
            if case .outOfBand(let verifier) = decision {
                return pages.render("verifier", ["title": "Access allowed", "clientName": pending.clientName, "verifier": verifier],
                                    navigation: navigation(session))
            }
            return pages.render("denied", ["title": "Access denied", "clientName": pending.clientName], navigation: navigation(session))
        } catch let error as OAuthError {
            return pages.error(400, heading: "This authorization request cannot be used", message: error.message, code: error.problem)
        }
    }

    private func consentPage(_ pending: AuthorizationRequest, session: Sessions.Current, user: UserRecord) -> HTTPResponse {
        let scopes: [[String: String]] = pending.scopes.map { ["name": $0.name, "description": $0.description] }
        var values: [String: Any] = [
            "title": "Authorize \(pending.clientName)", "clientName": pending.clientName, "username": user.username,
            "token": pending.token, "csrfToken": session.record.csrfToken, "action": url("/authorize"),
            "logoutAction": url("/logout"), "scopes": scopes, "hasScopes": !scopes.isEmpty,
        ]
        if let host = pending.callbackHost { values["callbackHost"] = host }
        if let lifetime = pending.tokenLifetime { values["lifetime"] = TokenLifetime.describe(lifetime) }
        return pages.render("authorize", values, navigation: navigation(session))
    }

    // MARK: Helpers

    /// The sign-in form, with the visitor's form token (a new one, with its cookie, when the request carried none still fresh).
    private func loginForm(next: String, username: String, error: String?, status: Int) throws -> HTTPResponse {
        let (token, cookie) = parts.anonymousForms.tokenForForm(http, mountPath: request.mountPath)
        var values: [String: Any] = ["title": "Sign in", "action": url("/login"), "next": next, "username": username,
                                     "csrfToken": token.random]
        if let error { values["error"] = error }
        if application.configuration.signupEnabled { values["signupLink"] = url("/signup") }
        var response = pages.render("login", values, status: status)
        if let cookie { response.headers.add("Set-Cookie", cookie) }
        return response
    }

    /// The navigation of this session's pages.
    func navigation(_ session: Sessions.Current) -> SignedInNavigation {
        SignedInNavigation(mountPath: request.mountPath, session: session)
    }

    func signedIn() throws -> (Sessions.Current, UserRecord)? {
        guard let session = try parts.sessions.current(http), let userID = session.record.userID,
              let user = try parts.stores.users.user(id: userID) else { return nil }
        // When the web server vouches for the user, a session must belong to that user (no carrying a session across logins).
        if application.configuration.trustsRemoteUser, let remote = http.remoteUser, remote != user.username { return nil }
        return (session, user)
    }

    /// The form's token matches the session's, compared in constant time, and any Origin header names this host.
    func csrfValid(_ form: [String: String], _ session: Sessions.Current) throws -> Bool {
        originAllowed() && ConstantTime.equals(form["csrf_token"] ?? "", session.record.csrfToken)
    }

    /// A sign-in or sign-up form's token is the random part of the request's signed, unexpired form cookie, and any Origin
    /// header names this host.
    func anonymousFormValid(_ form: [String: String]) -> Bool {
        originAllowed() && parts.anonymousForms.accepts(http, field: form["csrf_token"])
    }

    /// No Origin header, `null`, or one with this request's host and port.
    private func originAllowed() -> Bool {
        guard let origin = http.headers["Origin"], origin != "null" else { return true }
        guard let originURL = RequestURL(origin) else { return false }
        return originURL.host.lowercased() == http.url.host.lowercased() && originURL.effectivePort == http.url.effectivePort
    }

    func csrfRefusal() -> HTTPResponse {
        pages.error(403, heading: "This form has expired", message: "The form's security token did not match your session. Reload the page and try again.", code: "csrf_rejected")
    }

    func transportRefusal() -> HTTPResponse? {
        guard !application.configuration.allowsInsecureTransport, http.url.scheme.lowercased() != "https" else { return nil }
        return pages.error(400, heading: "HTTPS required", message: "These pages are served over HTTPS only. For local development only, set OAUTH1_INSECURE_TRANSPORT=true.", code: "transport_rejected")
    }

    /// The query's pairs; a malformed query is refused with a 400 page.
    func query() throws(MalformedPageInput) -> [Parameter] {
        do { return try FormURLEncoding.parse(http.url.rawQuery ?? "") } catch {
            throw .query(error)
        }
    }

    private func formPairs() throws(MalformedPageInput) -> [Parameter] {
        guard http.hasFormBody else { return [] }
        guard let text = String(validating: http.body, as: UTF8.self) else { throw .formBodyNotUTF8 }
        do { return try FormURLEncoding.parse(text) } catch {
            throw .formBody(error)
        }
    }

    func formFields() throws -> [String: String] {
        var fields = [String: String]()
        for pair in try formPairs() where fields[pair.name] == nil { fields[pair.name] = pair.value }
        return fields
    }

    /// The longest `next` a sign-in goes back to. It becomes a `Location` header, and the web server must take the
    /// response's headers in one buffer (nginx's `fastcgi_buffer_size` is one 4 KiB page by default): a longer one
    /// would make it answer 502 instead of the redirect.
    static let maximumNextLength = 2048

    /// A `next` target is accepted only as a path inside the app: it starts with the mount path, and never `//` or a scheme.
    static func safeNext(_ next: String?, mountPath: String) -> String? {
        guard let next, next.utf8.count <= maximumNextLength, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
              next.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              mountPath.isEmpty || next == mountPath || next.hasPrefix(mountPath + "/") || next.hasPrefix(mountPath + "?") else { return nil }
        return next
    }
}
