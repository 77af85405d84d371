/// The signature base string of RFC 5849 section 3.4.1: method, base string URI and normalized parameters, each encoded and joined with `&`.
public enum SignatureBaseString {
    /// Builds the base string from the method, the URL the client used and the signed parameters (RFC 5849 section 3.4.1.1):
    /// the method in uppercase, the base string URI (section 3.4.1.2) and the normalized parameters (section 3.4.1.3.2),
    /// each encoded (section 3.6) and joined with `&`.
    public static func make(method: String, url: RequestURL, parameters: [Parameter]) -> String {
        [method.uppercased(), baseStringURI(url), normalizedParameters(parameters)]
            .map(PercentEncoding.encode)
            .joined(separator: "&")
    }

    /// Builds the base string of a request from its collected parameters, all but `oauth_signature` (RFC 5849 section 3.4.1).
    public static func make(request: HTTPRequest, parameters: RequestParameters) -> String {
        make(method: request.method, url: request.url, parameters: parameters.signedParameters)
    }
}
