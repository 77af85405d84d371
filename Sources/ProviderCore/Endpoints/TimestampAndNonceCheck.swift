/// The timestamp and nonce rules of RFC 5849 section 3.3: the timestamp is a positive whole number of seconds near the
/// server's time, and a nonce is accepted once for the same client, token and timestamp.
enum TimestampAndNonceCheck {
    /// The seconds of `oauth_timestamp`, refused (401) when further than `window` seconds from `now`, or (400) when it
    /// is not 1 to 18 ASCII digits (so it fits an Int64) above zero.
    static func checkTimestamp(_ text: String, now: Int64, window: Int64) throws(OAuthError) -> Int64 {
        guard let value = positiveSeconds(text) else {
            throw OAuthError.rejected("oauth_timestamp",
                                      "oauth_timestamp must be a positive whole number of seconds since 1970-01-01T00:00:00Z, at most 18 digits.")
        }
        if value < now - window || value > now + window {
            throw OAuthError(.timestampRefused,
                             "oauth_timestamp \(value) is more than \(window) seconds away from the server's time \(now); check the client's clock.",
                             details: [Parameter("oauth_acceptable_timestamps", "\(now - window)-\(now + window)")])
        }
        return value
    }

    /// A timestamp of 1 to 18 ASCII digits that is above zero, or nil for any other text.
    static func positiveSeconds(_ text: String) -> Int64? {
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Int64(text), value > 0 else { return nil }
        return value
    }

    /// Refuses an `oauth_nonce` longer than `maximumLength` bytes (an empty one is refused with the other empty parameters, `EmptyProtocolParameter`).
    static func checkNonce(_ nonce: String, maximumLength: Int) throws(OAuthError) {
        if nonce.utf8.count > maximumLength {
            throw OAuthError.rejected("oauth_nonce", "oauth_nonce is longer than \(maximumLength) bytes; send a shorter random string.")
        }
    }
}

extension RequestAuthenticator {
    /// Records the nonce, refusing one already used with the same client, token and timestamp (RFC 5849 section 3.3).
    func useNonce(_ signed: SignedRequest) throws {
        guard let timestamp = signed.timestamp, let nonce = signed.nonce else { return }
        let record = TimestampNonce(clientIdentifier: signed.consumerKey, token: signed.token ?? "",
                                    timestamp: timestamp, nonce: nonce)
        let expiresAt = clock.now() + configuration.nonceLifetime
        guard try nonces.insertIfAbsent(record, expiresAt: expiresAt) else {
            throw OAuthError(.nonceUsed, "This oauth_nonce was already used with this timestamp and these credentials; send a fresh nonce with every request.")
        }
    }
}
