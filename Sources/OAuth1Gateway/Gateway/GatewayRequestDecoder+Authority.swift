import ProviderCore

/// The host and port the client addressed, from a Host header (or what stands in for one).
extension GatewayRequestDecoder {
    /// `host[:port]` split as `RequestURL.splitAuthority` splits it, the host checked by `isValidHost`; nil when either
    /// refuses it (RFC 9110, section 7.2).
    static func authority(_ source: String) -> (host: String, port: Int?)? {
        guard let (host, port) = RequestURL.splitAuthority(source), isValidHost(host) else { return nil }
        return (host, port)
    }
}
