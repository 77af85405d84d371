import ProviderStorage
import ProviderCore

/// The user's own control over what they granted: every client holding a live token credential for them, one row per client,
/// and revocation of all that client's tokens for the user.
struct AccountRoutes {
    let application: Application
    let parts: Application.Parts
    let request: GatewayRequest
    let browser: BrowserRoutes

    /// The handle a page uses for one client's grants to the user; the page never shows a token.
    static func handle(_ clientIdentifier: String) -> String {
        String(Digest.hex(Digest.hash(.sha256, Array(("grant:" + clientIdentifier).utf8))).prefix(32))
    }

    /// A date as `2026-11-29 14:05 UTC`.
    static func date(_ seconds: Int64) -> String {
        let iso = isoTime(seconds)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5)) + " UTC"
    }

    func applications() throws -> HTTPResponse {
        if let refusal = browser.transportRefusal() { return refusal }
        guard let (session, user) = try browser.signedIn() else {
            return .seeOther(request.mountPath + "/login?next=" + PercentEncoding.encode(request.mountPath + "/account/applications"))
        }
        let now = application.clock.now()
        let live = try parts.stores.tokenCredentials.all(userID: user.id).filter { !$0.isRevoked && ($0.expiresAt.map { $0 > now } ?? true) }
        let offered = application.configuration.provider.scopes
        var order = [String]()
        var grants = [String: [TokenCredential]]()
        for token in live {
            if grants[token.clientIdentifier] == nil { order.append(token.clientIdentifier) }
            grants[token.clientIdentifier, default: []].append(token)
        }
        var rows = [[String: Any]]()
        for clientIdentifier in order {
            let tokens = grants[clientIdentifier] ?? []
            let client = try parts.stores.clients.record(identifier: clientIdentifier)
            var scopeNames = [String]()
            for token in tokens { for scope in token.scopes where !scopeNames.contains(scope) { scopeNames.append(scope) } }
            let scopes = scopeNames.map { name in offered.first { $0.name == name }?.description ?? name }
            let lastUsed = tokens.compactMap(\.lastUsedAt).max()
            var row: [String: Any] = ["clientName": client?.name ?? clientIdentifier,
                                      "granted": Self.date(tokens.map(\.createdAt).min() ?? now),
                                      "lastUsed": lastUsed.map(Self.date) ?? "never", "handle": Self.handle(clientIdentifier),
                                      "hasScopes": !scopes.isEmpty, "scopeList": scopes.joined(separator: ", "),
                                      "csrfToken": session.record.csrfToken, "revokeAction": request.mountPath + "/account/applications/revoke"]
            if tokens.count > 1 { row["grantCount"] = String(tokens.count) }
            if tokens.allSatisfy({ $0.expiresAt != nil }), let expires = tokens.compactMap(\.expiresAt).max() { row["expires"] = Self.date(expires) }
            rows.append(row)
        }
        let revoked = try browser.query().contains { $0.name == "revoked" }
        return application.pages.render("applications", ["title": "Connected applications", "username": user.username,
                                                          "applications": rows, "hasApplications": !rows.isEmpty, "revoked": revoked],
                                       navigation: browser.navigation(session))
    }

    func revoke() throws -> HTTPResponse {
        guard let (session, user) = try browser.signedIn() else {
            return application.pages.error(403, heading: "Please sign in again", message: "Your session ended. Sign in and try again.")
        }
        let form = try browser.formFields()
        guard try browser.csrfValid(form, session) else { return browser.csrfRefusal() }
        let handle = form["credential"] ?? ""
        var found = false
        for token in try parts.stores.tokenCredentials.all(userID: user.id)
        where !token.isRevoked && ConstantTime.equals(Self.handle(token.clientIdentifier), handle) {
            found = try parts.stores.tokenCredentials.revoke(token: token.token) || found
            Log.info("user \(user.id) revoked a token credential of client \(token.clientIdentifier)")
            application.audit(.tokenRevoked, request, user: user.id, client: token.clientIdentifier, token: token.token)
        }
        guard found else {
            return application.pages.error(404, heading: "Nothing to revoke", message: "That application no longer has access to your account.")
        }
        return .seeOther(request.mountPath + "/account/applications?revoked=1")
    }
}
