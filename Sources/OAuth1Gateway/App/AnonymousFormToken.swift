import ProviderCore

/// The CSRF token of a form shown to a visitor who is not signed in (sign-in, sign-up), kept by the browser alone: the cookie
/// holds `RANDOM.EXPIRY.MAC`, MAC the HMAC-SHA256 of both under the session key, and the form's hidden field echoes RANDOM
/// (a signed double-submit cookie; docs/security.md, "CSRF").
public struct AnonymousFormToken: Sendable, Equatable {
    /// The name of the form token's cookie.
    public static let cookieName = "oauth1_form"
    /// Characters in the random part.
    public static let randomLength = 32

    /// The random part, which the form's `csrf_token` field must carry.
    public let random: String
    /// When the token stops being accepted, in seconds since the epoch.
    public let expiresAt: Int64

    /// A token from its parts.
    public init(random: String, expiresAt: Int64) {
        self.random = random
        self.expiresAt = expiresAt
    }

    /// The cookie value: the random part, the expiry and their MAC under `key`.
    public func cookieValue(key: [UInt8]) -> String {
        let signed = random + "." + String(expiresAt)
        return signed + "." + Self.mac(signed, key: key)
    }

    /// Whether a form's `csrf_token` field is this token's random part, compared in constant time.
    public func matches(field: String) -> Bool {
        ConstantTime.equals(field, random)
    }

    /// The token in a cookie value whose MAC under `key` is right and whose expiry is after `now`; nil for a forged,
    /// malformed, oversized or expired value.
    public static func verified(cookieValue value: String, key: [UInt8], now: Int64) -> AnonymousFormToken? {
        guard value.utf8.count <= 200 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count == randomLength, (1...19).contains(parts[1].utf8.count),
              parts[1].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let expiresAt = Int64(parts[1]) else { return nil }
        let signed = parts[0] + "." + parts[1]
        guard ConstantTime.equals(Array(mac(String(signed), key: key).utf8), Array(parts[2].utf8)), expiresAt > now else { return nil }
        return AnonymousFormToken(random: String(parts[0]), expiresAt: expiresAt)
    }

    /// The MAC of `RANDOM.EXPIRY`, with a prefix no session identifier carries, so neither cookie's MAC passes for the other's.
    static func mac(_ signed: String, key: [UInt8]) -> String {
        Sessions.mac("anonymous-form:" + signed, key: key)
    }
}
