/// A scope the site offers, with the words the consent page shows for it.
public struct ScopeDefinition: Sendable, Hashable {
    /// The scope's name as clients send it in `scope`.
    public var name: String
    /// What granting it allows, in words a user understands.
    public var description: String

    /// Creates a scope definition.
    public init(name: String, description: String) {
        self.name = name
        self.description = description
    }
}

/// The provider's settings: the seed's `OAUTH1_*` values and this project's own, with the seed's defaults.
public struct ProviderConfiguration: Sendable {
    /// The realm named in `WWW-Authenticate` (RFC 5849 section 3.5.1).
    public var realm = "oauth1-fcgi"
    /// Length of generated `oauth_token` values (the seed's `OAUTH1_TOKEN_LENGTH`).
    public var tokenLength = 42
    /// Length of generated `oauth_token_secret` values (the seed's `OAUTH1_TOKEN_SECRET_LENGTH`).
    public var tokenSecretLength = 48
    /// Length of generated `oauth_verifier` values.
    public var verifierLength = 36
    /// The accepted `oauth_signature_method` values (the seed's `OAUTH1_SUPPORTED_SIGNATURE_METHODS`); HMAC-SHA1 only by default.
    public var supportedSignatureMethods = ["HMAC-SHA1"]
    /// The largest accepted |now - oauth_timestamp|, in seconds (RFC 5849 section 3.3).
    public var timestampWindow: Int64 = 300
    /// How long a temporary credential stays usable, in seconds.
    public var temporaryCredentialLifetime: Int64 = 600
    /// The longest accepted `oauth_nonce`, in bytes.
    public var maximumNonceLength = 255
    /// The scopes clients may ask for; a request for any other scope is refused.
    public var scopes: [ScopeDefinition] = []
    /// Whether plain-HTTP requests are served (the seed's `AUTHLIB_INSECURE_TRANSPORT`); only for local development.
    public var allowsInsecureTransport = false
    /// The least time between two recorded uses of one token credential, in seconds, so a busy token does not write on every request.
    public var useRecordingInterval: Int64 = 60

    /// Creates the default configuration.
    public init() {}

    /// How long a nonce must be remembered: twice the timestamp window, so a nonce outlives every timestamp that could carry it again (RFC 5849 section 3.3).
    public var nonceLifetime: Int64 { 2 * timestampWindow }

    /// Checks the values against each other and the registry; the error names the setting at fault.
    public func validate(against registry: SignatureMethodRegistry) throws(ConfigurationError) {
        if supportedSignatureMethods.isEmpty {
            throw ConfigurationError(key: "OAUTH1_SUPPORTED_SIGNATURE_METHODS", message: "must name at least one signature method")
        }
        for name in supportedSignatureMethods where registry[name] == nil {
            throw ConfigurationError(key: "OAUTH1_SUPPORTED_SIGNATURE_METHODS",
                                     message: "names '\(name)', which is not registered; known: \(registry.names.joined(separator: ", "))")
        }
        for (key, value) in [("OAUTH1_TOKEN_LENGTH", tokenLength), ("OAUTH1_TOKEN_SECRET_LENGTH", tokenSecretLength),
                             ("OAUTH1_VERIFIER_LENGTH", verifierLength)] where !(16...256).contains(value) {
            throw ConfigurationError(key: key, message: "is \(value); it must be from 16 to 256 characters")
        }
        if !(1...86_400).contains(timestampWindow) {
            throw ConfigurationError(key: "OAUTH1_TIMESTAMP_WINDOW", message: "is \(timestampWindow); it must be from 1 to 86400 seconds")
        }
        if !(1...86_400).contains(temporaryCredentialLifetime) {
            throw ConfigurationError(key: "OAUTH1_TEMPORARY_CREDENTIAL_LIFETIME",
                                     message: "is \(temporaryCredentialLifetime); it must be from 1 to 86400 seconds")
        }
        if !(8...4096).contains(maximumNonceLength) {
            throw ConfigurationError(key: "OAUTH1_MAX_NONCE_LENGTH", message: "is \(maximumNonceLength); it must be from 8 to 4096 bytes")
        }
        for scope in scopes where scope.name.isEmpty || scope.name.contains(" ") {
            throw ConfigurationError(key: "OAUTH1_SCOPES", message: "has the scope '\(scope.name)'; a scope name is one non-empty word")
        }
    }
}

/// An invalid setting: the key at fault and what is wrong with its value.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration key, such as `OAUTH1_TOKEN_LENGTH`.
    public let key: String
    /// What is wrong, as the end of a sentence that starts with the key.
    public let message: String

    /// Creates an error naming the key.
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    /// The key and what is wrong with it, as one sentence.
    public var description: String { "\(key) \(message)." }

    /// Errors are equal when they name the same key; the message is explanation.
    public static func == (lhs: ConfigurationError, rhs: ConfigurationError) -> Bool { lhs.key == rhs.key }
}
