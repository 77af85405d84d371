/// A refusal of an OAuth request: a stable problem code, the HTTP status RFC 5849 section 3.2 gives it, and a sentence the client's developer can act on.
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable problem codes, spelled as the OAuth Problem Reporting extension's `oauth_problem` values.
    public enum Code: String, Sendable, CaseIterable {
        /// A required parameter is missing (400).
        case parameterAbsent = "parameter_absent"
        /// A parameter is duplicated, malformed, or not acceptable here (400).
        case parameterRejected = "parameter_rejected"
        /// The signature method is not one this provider accepts (400).
        case signatureMethodRejected = "signature_method_rejected"
        /// `oauth_version` is present and is not `1.0` (400).
        case versionRejected = "version_rejected"
        /// The timestamp is outside the accepted window (401).
        case timestampRefused = "timestamp_refused"
        /// The nonce was already used with this timestamp and credentials (401).
        case nonceUsed = "nonce_used"
        /// No client has this identifier (401).
        case consumerKeyUnknown = "consumer_key_unknown"
        /// The client exists but is disabled (401).
        case consumerKeyRejected = "consumer_key_rejected"
        /// The token is unknown, expired, of the wrong kind, or another client's (401).
        case tokenRejected = "token_rejected"
        /// The token credential was revoked (401).
        case tokenRevoked = "token_revoked"
        /// The token credential's lifetime is over (401).
        case tokenExpired = "token_expired"
        /// The verifier does not match the one issued for this temporary credential (401).
        case verifierInvalid = "verifier_invalid"
        /// The signature does not verify (401).
        case signatureInvalid = "signature_invalid"
        /// The credential lacks a permission the resource needs (403).
        case permissionDenied = "permission_denied"
        /// The request is understood but not allowed in this mode, such as a plain-HTTP request when HTTPS is required (400).
        case transportRejected = "transport_rejected"

        /// The HTTP status RFC 5849 section 3.2 assigns: 400 for a malformed request, 401 for bad credentials, signatures or nonces.
        public var status: Int {
            switch self {
            case .parameterAbsent, .parameterRejected, .signatureMethodRejected, .versionRejected, .transportRejected:
                return 400
            case .timestampRefused, .nonceUsed, .consumerKeyUnknown, .consumerKeyRejected, .tokenRejected,
                 .tokenRevoked, .tokenExpired, .verifierInvalid, .signatureInvalid:
                return 401
            case .permissionDenied:
                return 403
            }
        }
    }

    /// The stable problem code.
    public let code: Code
    /// A sentence saying what is wrong and what to change.
    public let message: String
    /// Extra Problem Reporting parameters, such as `oauth_parameters_absent` or `oauth_acceptable_timestamps`.
    public let details: [Parameter]

    /// Creates an error with its code, sentence and extra problem parameters.
    public init(_ code: Code, _ message: String, details: [Parameter] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// The HTTP status of the response (RFC 5849 section 3.2).
    public var status: Int { code.status }

    /// The `oauth_problem` value.
    public var problem: String { code.rawValue }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Errors are equal when their codes are; the sentence and details are explanation.
    public static func == (lhs: OAuthError, rhs: OAuthError) -> Bool { lhs.code == rhs.code }

    /// The response to send: a form-encoded body with `oauth_problem`, the details and `oauth_problem_advice`, and `WWW-Authenticate` on 401 (RFC 5849 section 3.2).
    public func response(realm: String) -> HTTPResponse {
        var parameters = [Parameter("oauth_problem", code.rawValue)]
        parameters += details
        parameters.append(Parameter("oauth_problem_advice", message))
        var response = HTTPResponse.formEncoded(parameters, status: status)
        if status == 401 {
            response.headers.add("WWW-Authenticate", "OAuth realm=\"\(Self.quotedStringContent(realm))\"")
        }
        return response
    }

    private static func quotedStringContent(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "\"", "\\": output += "\\\(character)"
            case "\r", "\n": continue
            default: output.append(character)
            }
        }
        return output
    }
}

extension OAuthError {
    static func absent(_ names: [String]) -> OAuthError {
        let list = names.joined(separator: ", ")
        return OAuthError(.parameterAbsent,
                          "The request is missing \(names.count == 1 ? "the required parameter" : "the required parameters") \(list).",
                          details: [Parameter("oauth_parameters_absent", names.joined(separator: "&"))])
    }

    static func rejected(_ name: String, _ sentence: String) -> OAuthError {
        OAuthError(.parameterRejected, sentence, details: [Parameter("oauth_parameters_rejected", name)])
    }
}
