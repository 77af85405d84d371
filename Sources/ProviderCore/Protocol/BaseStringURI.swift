extension SignatureBaseString {
    /// The base string URI of RFC 5849 section 3.4.1.2: lowercase scheme and host, the port only when not the scheme's default, the path as sent, no query.
    public static func baseStringURI(_ url: RequestURL) -> String {
        let scheme = url.scheme.lowercased()
        var uri = scheme + "://" + url.host.lowercased()
        if let port = url.port, port != RequestURL.defaultPort(forScheme: scheme) {
            uri += ":" + String(port)
        }
        uri += url.rawPath.isEmpty ? "/" : url.rawPath
        return uri
    }
}
