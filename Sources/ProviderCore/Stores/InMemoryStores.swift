import Synchronization

/// Clients held in memory, for tests and for applications that register clients in code.
public final class InMemoryClientStore: ClientStore {
    private let clients: Mutex<[String: Client]>

    /// Creates a store holding these clients.
    public init(_ clients: [Client] = []) {
        var table = [String: Client]()
        for client in clients { table[client.identifier] = client }
        self.clients = Mutex(table)
    }

    /// Adds or replaces a client.
    public func add(_ client: Client) { clients.withLock { $0[client.identifier] = client } }

    /// The client with this identifier, or nil.
    public func client(identifier: String) throws -> Client? { clients.withLock { $0[identifier] } }
}

/// Temporary credentials held in one process's memory, for tests; a multi-process provider needs a shared store.
public final class InMemoryTemporaryCredentialStore: TemporaryCredentialStore {
    private let credentials = Mutex<[String: TemporaryCredential]>([:])

    /// Creates an empty store.
    public init() {}

    /// Stores a newly issued temporary credential.
    public func save(_ credential: TemporaryCredential) throws {
        credentials.withLock { $0[credential.token] = credential }
    }

    /// The temporary credential with this token, or nil.
    public func temporaryCredential(token: String) throws -> TemporaryCredential? {
        credentials.withLock { $0[token] }
    }

    /// Records the user's approval once, under the lock; false when the credential is missing or already authorized.
    public func authorize(token: String, userID: String, verifier: String, grantedScopes: [String]) throws -> Bool {
        credentials.withLock { table in
            guard var credential = table[token], !credential.isAuthorized else { return false }
            credential.userID = userID
            credential.verifier = verifier
            credential.grantedScopes = grantedScopes
            table[token] = credential
            return true
        }
    }

    /// Removes the credential and returns it, under the lock.
    public func consume(token: String) throws -> TemporaryCredential? {
        credentials.withLock { $0.removeValue(forKey: token) }
    }
}

/// Token credentials held in memory, for tests.
public final class InMemoryTokenCredentialStore: TokenCredentialStore {
    private let credentials = Mutex<[String: TokenCredential]>([:])

    /// Creates an empty store.
    public init() {}

    /// Stores a newly issued token credential.
    public func save(_ credential: TokenCredential) throws {
        credentials.withLock { $0[credential.token] = credential }
    }

    /// The token credential with this token, or nil.
    public func tokenCredential(token: String) throws -> TokenCredential? {
        credentials.withLock { $0[token] }
    }

    /// Notes that the credential was used at this time.
    public func recordUse(token: String, at time: Int64) throws {
        credentials.withLock { $0[token]?.lastUsedAt = time }
    }

    /// Marks the credential revoked; false when no such token exists.
    public func revoke(token: String) throws -> Bool {
        credentials.withLock { table in
            guard table[token] != nil else { return false }
            table[token]?.isRevoked = true
            return true
        }
    }
}

/// Nonces held in memory with their expiry, for tests; a multi-process provider needs a shared store.
public final class InMemoryNonceStore: NonceStore {
    private let nonces = Mutex<[TimestampNonce: Int64]>([:])

    /// Creates an empty store.
    public init() {}

    /// Inserts the nonce if it is absent, under the lock, and says whether it was.
    public func insertIfAbsent(_ nonce: TimestampNonce, expiresAt: Int64) throws -> Bool {
        nonces.withLock { table in
            if table[nonce] != nil { return false }
            table[nonce] = expiresAt
            return true
        }
    }

    /// Removes nonces whose expiry is at or before `time`; returns how many.
    @discardableResult
    public func purge(expiredAt time: Int64) -> Int {
        nonces.withLock { table in
            let before = table.count
            table = table.filter { $0.value > time }
            return before - table.count
        }
    }

    /// How many nonces are held.
    public var count: Int { nonces.withLock { $0.count } }
}
