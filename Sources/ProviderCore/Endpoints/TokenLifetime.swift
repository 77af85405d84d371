/// A lifetime a client may ask for its token credential with `expiration` at the temporary credential request (after Trello's
/// OAuth 1 extension); without one a token credential never expires, as RFC 5849 and the seed have it.
public enum TokenLifetime {
    /// The shortest and longest lifetimes accepted, in seconds.
    public static let accepted: ClosedRange<Int64> = 60...(10 * 365 * 86_400)

    /// Seconds for `1hour`, `1day`, `30days`, a whole number of seconds, or nil for `never` or no value.
    public static func parse(_ value: String?) throws(OAuthError) -> Int64? {
        guard let value, value != "never" else { return nil }
        let named: [String: Int64] = ["1hour": 3600, "1day": 86_400, "30days": 30 * 86_400]
        if let seconds = named[value] { return seconds }
        guard value.utf8.count <= 10, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let seconds = Int64(value),
              accepted.contains(seconds) else {
            throw OAuthError.rejected("expiration", "expiration must be never, 1hour, 1day, 30days, or a number of seconds from \(accepted.lowerBound) to \(accepted.upperBound).")
        }
        return seconds
    }

    /// A lifetime in words for the consent page, such as "1 day" or "2 hours".
    public static func describe(_ seconds: Int64) -> String {
        func unit(_ count: Int64, _ name: String) -> String { "\(count) \(name)\(count == 1 ? "" : "s")" }
        if seconds % 86_400 == 0 { return unit(seconds / 86_400, "day") }
        if seconds % 3600 == 0 { return unit(seconds / 3600, "hour") }
        if seconds % 60 == 0 { return unit(seconds / 60, "minute") }
        return unit(seconds, "second")
    }
}
