import ProviderStorage
import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

/// Browser sessions of signed-in users: a cookie holding a random identifier and its HMAC under the backend's session key;
/// the session itself (user, CSRF token, expiry) is in the database, so every worker sees it and logout ends it everywhere.
/// A visitor who is not signed in has no session: the sign-in form's token is an `AnonymousFormToken`.
public struct Sessions: Sendable {
    /// The name of the session cookie.
    public static let cookieName = "oauth1_session"

    let store: any SessionStore
    let key: [UInt8]
    let lifetime: Int64
    let secureCookies: Bool

    /// A session found from the request's cookie.
    struct Current {
        let identifier: String
        let record: SessionRecord
    }

    /// The session named by a valid, correctly signed cookie; nil for none, forged, oversized or expired.
    func current(_ request: HTTPRequest) throws -> Current? {
        guard let value = Self.cookie(named: Self.cookieName, in: request),
              let identifier = Self.verifiedIdentifier(cookieValue: value, key: key) else { return nil }
        return try store.session(identifier: identifier).map { Current(identifier: identifier, record: $0) }
    }

    /// The session identifier in a cookie value `identifier.mac` whose HMAC under `key` is right; nil for a forged, malformed or oversized value.
    public static func verifiedIdentifier(cookieValue value: String, key: [UInt8]) -> String? {
        guard value.utf8.count <= 200 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let identifier = String(parts[0])
        guard ConstantTime.equals(Array(mac(identifier, key: key).utf8), Array(parts[1].utf8)) else { return nil }
        return identifier
    }

    /// Starts a signed-in user's session; returns it with its Set-Cookie value, scoped to the mount point.
    func start(userID: Int64, mountPath: String) throws -> (Current, cookie: String) {
        let (identifier, record) = try store.create(userID: userID, lifetime: lifetime)
        return (Current(identifier: identifier, record: record),
                setCookie(identifier + "." + mac(identifier), maxAge: lifetime, mountPath: mountPath))
    }

    /// Ends a session in the database.
    func end(_ session: Current) throws {
        try store.delete(identifier: session.identifier)
    }

    /// The Set-Cookie value that removes the cookie from the browser.
    func clearingCookie(mountPath: String) -> String { setCookie("", maxAge: 0, mountPath: mountPath) }

    private func setCookie(_ value: String, maxAge: Int64, mountPath: String) -> String {
        CookieLine.make(name: Self.cookieName, value: value, maxAge: maxAge, mountPath: mountPath, secure: secureCookies)
    }

    private func mac(_ identifier: String) -> String { Self.mac(identifier, key: key) }

    /// The cookie's signature of a session identifier: HMAC-SHA256 under `key`, base64url without padding.
    public static func mac(_ identifier: String, key: [UInt8]) -> String {
        let digest = HMAC.authenticationCode(.sha256, key: key, message: Array(identifier.utf8))
        return String(Base64.encode(digest).map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 }.filter { $0 != "=" })
    }

    /// The first cookie of this name in the request's Cookie headers.
    public static func cookie(named name: String, in request: HTTPRequest) -> String? {
        for header in request.headers.values(for: "Cookie") where header.utf8.count <= 8192 {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimming(" ")
                if trimmed.hasPrefix(name + "=") { return String(trimmed.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }
}
