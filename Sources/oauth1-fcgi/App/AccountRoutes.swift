import FileAndSQLiteStore
import ProviderCore

/// The user's own control over what they granted: every client holding a live token credential for them, and revocation.
struct AccountRoutes {
    let application: Application
    let parts: Application.Parts
    let request: GatewayRequest
    let browser: BrowserRoutes

    /// An opaque handle for a token credential in a page: the page never shows the token itself.
    static func handle(_ token: String) -> String { String(Digest.hex(Digest.hash(.sha256, Array(token.utf8))).prefix(32)) }

    func applications() throws -> HTTPResponse {
        if let refusal = browser.transportRefusal() { return refusal }
        guard let (session, user) = try browser.signedIn() else {
            return .seeOther(request.mountPath + "/login?next=" + PercentEncoding.encode(request.mountPath + "/account/applications"))
        }
        let now = parts.stores.tokenCredentials.clock.now()
        let live = try parts.stores.tokenCredentials.all(userID: user.id).filter { !$0.isRevoked && ($0.expiresAt.map { $0 > now } ?? true) }
        let offered = application.configuration.provider.scopes
        var rows = [[String: Any]]()
        for token in live {
            let client = try parts.stores.clients.record(identifier: token.clientIdentifier)
            let scopes = token.scopes.map { name in offered.first { $0.name == name }?.description ?? name }
            var row: [String: Any] = ["clientName": client?.name ?? token.clientIdentifier, "granted": isoTime(token.createdAt),
                                      "lastUsed": token.lastUsedAt.map(isoTime) ?? "never", "handle": Self.handle(token.token),
                                      "hasScopes": !scopes.isEmpty, "scopeList": scopes.joined(separator: ", "),
                                      "csrfToken": session.record.csrfToken, "revokeAction": request.mountPath + "/account/applications/revoke"]
            if let expires = token.expiresAt { row["expires"] = isoTime(expires) }
            rows.append(row)
        }
        let revoked = (try? FormURLEncoding.parse(request.http.url.rawQuery ?? ""))?.contains { $0.name == "revoked" } ?? false
        return application.pages.render("applications", ["title": "Connected applications", "username": user.username,
                                                          "applications": rows, "hasApplications": !rows.isEmpty, "revoked": revoked])
    }

    func revoke() throws -> HTTPResponse {
        guard let (session, user) = try browser.signedIn() else {
            return application.pages.error(403, heading: "Please sign in again", message: "Your session ended. Sign in and try again.")
        }
        let form = try browser.formFields()
        guard try browser.csrfValid(form, session) else { return browser.csrfRefusal() }
        let handle = form["credential"] ?? ""
        var found = false
        for token in try parts.stores.tokenCredentials.all(userID: user.id) where ConstantTime.equals(Self.handle(token.token), handle) {
            found = try parts.stores.tokenCredentials.revoke(token: token.token) || found
            Log.info("user \(user.id) revoked a token credential of client \(token.clientIdentifier)")
        }
        guard found else {
            return application.pages.error(404, heading: "Nothing to revoke", message: "That application no longer has access to your account.")
        }
        return .seeOther(request.mountPath + "/account/applications?revoked=1")
    }
}
