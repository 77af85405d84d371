/// A protocol parameter sent with an empty value, which RFC 5849 sections 3.1 and 3.3 give no meaning where a value is
/// required: refused with 400 `parameter_rejected` and a sentence that names it and says what to send instead.
enum EmptyProtocolParameter {
    /// The parameters among `names` that the request sent with an empty value, in the order of `names`.
    static func names(among names: [String], in parameters: RequestParameters) -> [String] {
        names.filter { parameters[protocolParameter: $0]?.isEmpty == true }
    }

    /// The refusal of these empty parameters, each named in `oauth_parameters_rejected` and given its own sentence.
    static func refusal(_ names: [String], configuration: ProviderConfiguration) -> OAuthError {
        let sentences = names.map { "\($0) is empty; \(advice(for: $0, configuration: configuration))." }
        return OAuthError(.parameterRejected, sentences.joined(separator: " "),
                          details: [Parameter("oauth_parameters_rejected", names.joined(separator: "&"))])
    }

    /// The refusal of one empty parameter with advice that fits where it was sent.
    static func refusal(_ name: String, advice: String) -> OAuthError {
        OAuthError.rejected(name, "\(name) is empty; \(advice).")
    }

    /// What to send in place of an empty value.
    private static func advice(for name: String, configuration: ProviderConfiguration) -> String {
        switch name {
        case "oauth_consumer_key": return "send the client identifier the provider issued"
        case "oauth_signature_method": return "send one of: \(configuration.supportedSignatureMethods.joined(separator: ", "))"
        case "oauth_signature": return "send the signature computed as RFC 5849 section 3.4 describes"
        case "oauth_timestamp": return "send the time of the request in whole seconds since 1970-01-01T00:00:00Z"
        case "oauth_nonce": return "send a unique random string"
        case "oauth_token": return "send the oauth_token the provider issued"
        case "oauth_verifier": return "send the verifier the user was given when approving the request"
        case "oauth_callback": return "send an absolute URI, or 'oob' when the callback is established by other means"
        default: return "send a value"
        }
    }
}
