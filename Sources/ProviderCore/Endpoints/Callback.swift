/// The rules for `oauth_callback` (RFC 5849 section 2.1) and for the redirect back to it (section 2.2).
public enum Callback {
    /// The value that asks for an out-of-band verifier instead of a redirect.
    public static let outOfBand = "oob"

    /// Checks a callback: `oob`, or an absolute http(s) URI with a host, no userinfo and no fragment.
    public static func validate(_ callback: String) throws(OAuthError) {
        if callback == outOfBand { return }
        guard callback.utf8.count <= 2048 else {
            throw OAuthError.rejected("oauth_callback", "oauth_callback is longer than 2048 bytes.")
        }
        guard callback.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw OAuthError.rejected("oauth_callback", "oauth_callback contains spaces, control characters or raw non-ASCII; percent-encode them.")
        }
        guard let url = RequestURL(callback) else {
            if callback.contains("@") {
                throw OAuthError.rejected("oauth_callback", "oauth_callback must not carry user credentials (user:password@).")
            }
            throw OAuthError.rejected("oauth_callback", "oauth_callback must be an absolute http or https URI, or 'oob'.")
        }
        if callback.contains("#") {
            throw OAuthError.rejected("oauth_callback", "oauth_callback must not contain a fragment (#...).")
        }
        _ = url
    }

    /// Whether a callback is allowed by a client's registered list: same scheme, host (case-insensitive), port and path; the query may differ. An empty list allows any valid callback, and `oob` is always allowed: it sends the verifier to no URI, only to the user's screen (RFC 5849 section 2.1).
    public static func isAllowed(_ callback: String, registered: [String]) -> Bool {
        if registered.isEmpty || callback == outOfBand { return true }
        guard let url = RequestURL(callback) else { return false }
        for entry in registered {
            guard let allowed = RequestURL(entry) else { continue }
            if allowed.scheme.lowercased() == url.scheme.lowercased(),
               allowed.host.lowercased() == url.host.lowercased(),
               allowed.effectivePort == url.effectivePort,
               allowed.rawPath == url.rawPath {
                return true
            }
        }
        return false
    }

    /// The callback with parameters added to its existing query (RFC 5849 section 2.2).
    public static func redirectURL(_ callback: String, adding parameters: [Parameter]) -> String {
        let separator = callback.contains("?") ? (callback.hasSuffix("?") || callback.hasSuffix("&") ? "" : "&") : "?"
        return callback + separator + FormURLEncoding.serialize(parameters)
    }
}
