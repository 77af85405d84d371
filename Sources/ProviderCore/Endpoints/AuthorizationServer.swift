/// The seed's authorization server: the temporary credential, resource owner authorization and token endpoints of RFC 5849 section 2.
public struct AuthorizationServer: Sendable {
    /// The settings in force.
    public let configuration: ProviderConfiguration
    let authenticator: RequestAuthenticator
    let temporaryCredentials: any TemporaryCredentialStore
    let tokenCredentials: any TokenCredentialStore
    let generator: CredentialGenerator
    let tokenGenerator: TokenGenerator?

    /// Builds a server from its settings and stores; the configuration is validated against the registry first.
    /// - Parameter tokenGenerator: makes `oauth_token` and `oauth_token_secret` pairs instead of the configured lengths (the seed's `token_generator`).
    public init(configuration: ProviderConfiguration = ProviderConfiguration(),
                clients: any ClientStore,
                temporaryCredentials: any TemporaryCredentialStore,
                tokenCredentials: any TokenCredentialStore,
                nonces: any NonceStore,
                signatureMethods: SignatureMethodRegistry = .builtIn,
                clock: any EpochClock = SystemEpochClock(),
                random: any RandomSource = SystemRandomSource(),
                tokenGenerator: TokenGenerator? = nil) throws(ConfigurationError) {
        try configuration.validate(against: signatureMethods)
        self.configuration = configuration
        self.authenticator = RequestAuthenticator(configuration: configuration, registry: signatureMethods,
                                                  clients: clients, nonces: nonces, clock: clock)
        self.temporaryCredentials = temporaryCredentials
        self.tokenCredentials = tokenCredentials
        self.generator = CredentialGenerator(random: random)
        self.tokenGenerator = tokenGenerator
    }

    /// A new `oauth_token` and `oauth_token_secret`, from the token generator when one was given.
    func newTokenPair() -> (token: String, secret: String) {
        if let tokenGenerator { return tokenGenerator() }
        return (generator.string(length: configuration.tokenLength), generator.string(length: configuration.tokenSecretLength))
    }

    /// The response `body` makes, or the error response of what it throws.
    func respond(_ body: () throws -> HTTPResponse) -> HTTPResponse {
        do {
            return try body()
        } catch let error as OAuthError {
            return error.response(realm: configuration.realm)
        } catch {
            return .storageUnavailable
        }
    }
}
