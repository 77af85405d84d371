/// Looks up registered clients by identifier (the seed's `query_client`).
public protocol ClientStore: Sendable {
    /// The client with this identifier, or nil when none is registered.
    func client(identifier: String) throws -> Client?
}

/// Keeps temporary credentials between the three steps of RFC 5849 section 2; every mutation is atomic across processes.
public protocol TemporaryCredentialStore: Sendable {
    /// Stores a newly issued temporary credential.
    func save(_ credential: TemporaryCredential) throws
    /// The temporary credential with this token, or nil.
    func temporaryCredential(token: String) throws -> TemporaryCredential?
    /// Records the user's approval if the credential exists and is not yet authorized; false otherwise (the check and write are one atomic step).
    func authorize(token: String, userID: String, verifier: String, grantedScopes: [String]) throws -> Bool
    /// Removes the credential and returns it, atomically: of several callers presenting the same token, at most one gets it.
    func consume(token: String) throws -> TemporaryCredential?
}

/// Keeps token credentials, which outlive the flow (the seed's token credential hooks).
public protocol TokenCredentialStore: Sendable {
    /// Stores a newly issued token credential.
    func save(_ credential: TokenCredential) throws
    /// The token credential with this token, or nil.
    func tokenCredential(token: String) throws -> TokenCredential?
    /// Notes that the credential was used at this time.
    func recordUse(token: String, at time: Int64) throws
    /// Marks the credential revoked; false when no such token exists.
    func revoke(token: String) throws -> Bool
}

/// Remembers nonces (RFC 5849 section 3.3) so that each is accepted once.
public protocol NonceStore: Sendable {
    /// Inserts the nonce if it is absent and returns true, or returns false when it was already present; atomic across every process that shares the store.
    func insertIfAbsent(_ nonce: TimestampNonce, expiresAt: Int64) throws -> Bool
}
