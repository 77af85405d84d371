import ProviderCore
import ProviderStorage

/// The account's own security: changing the password (the current one required; every other session of the user ended)
/// and signing out everywhere.
extension AccountRoutes {
    /// GET shows the form; POST changes the password and answers with a fresh session for this browser only.
    func password() throws -> HTTPResponse {
        if let refusal = browser.transportRefusal() { return refusal }
        guard let (session, user) = try browser.signedIn() else {
            return .seeOther(request.mountPath + "/login?next=" + PercentEncoding.encode(request.mountPath + "/account/password"))
        }
        guard request.http.method == "POST" else { return passwordForm(session, user, error: nil, status: 200) }
        let form = try browser.formFields()
        guard try browser.csrfValid(form, session) else { return browser.csrfRefusal() }
        let throttle = parts.stores.loginThrottle
        let subject = "user:" + String(user.username.lowercased().prefix(64))
        if let wait = try throttle.lockedFor([subject]) {
            var response = passwordForm(session, user, error: "Too many wrong passwords. Try again in \(wait) seconds.", status: 429)
            response.headers.add("Retry-After", String(wait))
            return response
        }
        guard try parts.stores.users.authenticate(username: user.username, password: form["current"] ?? "") != nil else {
            try throttle.recordFailure([(subject: subject, policy: application.configuration.usernameLoginPolicy)])
            application.audit(.signInFailed, request, user: user.id)
            return passwordForm(session, user, error: "Your current password is not right.", status: 401)
        }
        let new = form["password"] ?? ""
        guard new == (form["confirm"] ?? "") else {
            return passwordForm(session, user, error: "The two new passwords differ; type the same one twice.", status: 400)
        }
        do {
            try parts.stores.users.setPassword(userID: user.id, password: new)
        } catch let error as StoreInputError {
            return passwordForm(session, user, error: DeveloperRoutes.sentence(error.message), status: 400)
        }
        // Every session of the user ends, this one too; this browser gets a new one.
        try parts.stores.sessions.deleteAll(userID: user.id)
        let (fresh, cookie) = try parts.sessions.start(userID: user.id, mountPath: request.mountPath)
        application.audit(.passwordChanged, request, user: user.id)
        Log.info("user \(user.id) changed their password")
        var response = application.pages.render("password-changed", ["title": "Password changed", "homeLink": request.mountPath + "/"],
                                                navigation: browser.navigation(fresh))
        response.headers.add("Set-Cookie", cookie)
        return response
    }

    /// POST ends every session of the user, this one included.
    func signOutEverywhere() throws -> HTTPResponse {
        guard let (session, user) = try browser.signedIn() else {
            return .seeOther(request.mountPath + "/login", cookies: [parts.sessions.clearingCookie(mountPath: request.mountPath)])
        }
        let form = try browser.formFields()
        guard try browser.csrfValid(form, session) else { return browser.csrfRefusal() }
        try parts.stores.sessions.deleteAll(userID: user.id)
        application.audit(.signedOutEverywhere, request, user: user.id)
        var response = application.pages.render("signed-out", ["title": "Signed out", "everywhere": true])
        response.headers.add("Set-Cookie", parts.sessions.clearingCookie(mountPath: request.mountPath))
        return response
    }

    private func passwordForm(_ session: Sessions.Current, _ user: UserRecord, error: String?, status: Int) -> HTTPResponse {
        var values: [String: Any] = ["title": "Change your password", "username": user.username, "csrfToken": session.record.csrfToken,
                                     "action": request.mountPath + "/account/password", "homeLink": request.mountPath + "/"]
        if let error { values["error"] = error }
        return application.pages.render("password", values, navigation: browser.navigation(session), status: status)
    }
}
