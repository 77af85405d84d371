import ProviderCore

/// Hands out and checks the CSRF tokens of the forms a visitor sees before signing in, without storing anything: the token
/// travels in its own signed cookie (`AnonymousFormToken`), so `GET /login` writes nothing to the database.
struct AnonymousForms: Sendable {
    let key: [UInt8]
    let lifetime: Int64
    let secureCookies: Bool
    let clock: any EpochClock
    let generator = CredentialGenerator()

    /// The request's own form token: a correctly signed cookie that has not expired.
    func current(_ request: HTTPRequest) -> AnonymousFormToken? {
        guard let value = Sessions.cookie(named: AnonymousFormToken.cookieName, in: request) else { return nil }
        return AnonymousFormToken.verified(cookieValue: value, key: key, now: clock.now())
    }

    /// The token for a form about to be shown: the request's own while more than half its lifetime is left (so forms open in
    /// two tabs both stay valid), else a new one with the Set-Cookie line that delivers it.
    func tokenForForm(_ request: HTTPRequest, mountPath: String) -> (AnonymousFormToken, cookie: String?) {
        let now = clock.now()
        if let token = current(request), token.expiresAt - now > lifetime / 2 { return (token, nil) }
        let token = AnonymousFormToken(random: generator.string(length: AnonymousFormToken.randomLength), expiresAt: now + lifetime)
        return (token, CookieLine.make(name: AnonymousFormToken.cookieName, value: token.cookieValue(key: key), maxAge: lifetime,
                                       mountPath: mountPath, secure: secureCookies))
    }

    /// Whether the form's `csrf_token` field is the random part of the request's valid token cookie.
    func accepts(_ request: HTTPRequest, field: String?) -> Bool {
        guard let field, let token = current(request) else { return false }
        return token.matches(field: field)
    }

    /// The Set-Cookie line that removes the token's cookie once a session carries the CSRF token instead.
    func clearingCookie(mountPath: String) -> String {
        CookieLine.make(name: AnonymousFormToken.cookieName, value: "", maxAge: 0, mountPath: mountPath, secure: secureCookies)
    }
}
