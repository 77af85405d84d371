import ProviderCore

/// Temporary credentials in the file cache (the seed's recommendation: they are short-lived), each a form-encoded entry that expires with the credential.
public struct FileTemporaryCredentialStore: TemporaryCredentialStore {
    let cache: FileCache

    /// Creates the store over a cache directory.
    public init(cache: FileCache) { self.cache = cache }

    private func key(_ token: String) -> String { "temporary-credential:" + token }

    public func save(_ credential: TemporaryCredential) throws {
        guard try cache.add(key(credential.token), Self.encode(credential), expiresAt: credential.expiresAt) else {
            throw StoreInputError(message: "a temporary credential with this token already exists")
        }
    }

    public func temporaryCredential(token: String) throws -> TemporaryCredential? {
        try cache.get(key(token)).map { try Self.decode($0, path: cache.path(for: key(token))) }
    }

    public func authorize(token: String, userID: String, verifier: String, grantedScopes: [String]) throws -> Bool {
        let path = cache.path(for: key(token))
        return try cache.update(key(token)) { bytes in
            var credential = try Self.decode(bytes, path: path)
            guard !credential.isAuthorized else { return nil }
            credential.userID = userID
            credential.verifier = verifier
            credential.grantedScopes = grantedScopes
            return Self.encode(credential)
        }
    }

    public func consume(token: String) throws -> TemporaryCredential? {
        try cache.take(key(token)).map { try Self.decode($0, path: cache.path(for: key(token))) }
    }

    static func encode(_ credential: TemporaryCredential) -> [UInt8] {
        var fields = [Parameter("token", credential.token), Parameter("secret", credential.secret),
                      Parameter("client", credential.clientIdentifier), Parameter("callback", credential.callback),
                      Parameter("requested", credential.requestedScopes.spaceJoined),
                      Parameter("granted", credential.grantedScopes.spaceJoined), Parameter("expires", String(credential.expiresAt))]
        if let lifetime = credential.tokenLifetime { fields.append(Parameter("lifetime", String(lifetime))) }
        if let userID = credential.userID { fields.append(Parameter("user", userID)) }
        if let verifier = credential.verifier { fields.append(Parameter("verifier", verifier)) }
        return Array(FormURLEncoding.serialize(fields).utf8)
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> TemporaryCredential {
        guard let text = String(validating: bytes, as: UTF8.self), let fields = try? FormURLEncoding.parse(text) else {
            throw CorruptRecordError(path: path, detail: "not form-encoded UTF-8")
        }
        var values = [String: String]()
        for field in fields { values[field.name] = field.value }
        guard let token = values["token"], let secret = values["secret"], let client = values["client"],
              let callback = values["callback"], let expires = values["expires"].flatMap({ Int64($0) }) else {
            throw CorruptRecordError(path: path, detail: "a temporary credential field is missing")
        }
        return TemporaryCredential(token: token, secret: secret, clientIdentifier: client, callback: callback,
                                   requestedScopes: (values["requested"] ?? "").spaceSeparated,
                                   grantedScopes: (values["granted"] ?? "").spaceSeparated,
                                   tokenLifetime: values["lifetime"].flatMap { Int64($0) },
                                   userID: values["user"], verifier: values["verifier"], expiresAt: expires)
    }
}

/// Nonces in the file cache: a hard link into place is the atomic insert-if-absent every process shares.
public struct FileNonceStore: NonceStore {
    let cache: FileCache

    /// Creates the store over a cache directory.
    public init(cache: FileCache) { self.cache = cache }

    public func insertIfAbsent(_ nonce: TimestampNonce, expiresAt: Int64) throws -> Bool {
        let key = "nonce:" + [nonce.clientIdentifier, nonce.token, String(nonce.timestamp), nonce.nonce]
            .map(PercentEncoding.encode).joined(separator: "&")
        return try cache.add(key, [], expiresAt: expiresAt)
    }
}
