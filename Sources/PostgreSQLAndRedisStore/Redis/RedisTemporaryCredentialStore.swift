import ProviderCore
import ProviderStorage

/// Temporary credentials in Redis: one hash per token that expires with the credential; saving, authorizing and
/// consuming are each one Lua script, so each is atomic across every process and host.
public final class RedisTemporaryCredentialStore: TemporaryCredentialStore {
    private let keyspace: RedisKeyspace
    /// Seals the secret before it is stored and opens it when read, as the database does.
    private let sealer: SecretSealer

    init(keyspace: RedisKeyspace, sealer: SecretSealer) {
        self.keyspace = keyspace
        self.sealer = sealer
    }

    /// Writes the credential's hash and its expiry in one script, replacing any earlier one with the same token.
    public func save(_ credential: TemporaryCredential) throws {
        let timeToLive = keyspace.timeToLive(until: credential.expiresAt)
        var stored = credential
        stored.secret = try sealer.seal(credential.secret, owner: .temporaryCredential(credential.token))
        let reply = try evaluate(RedisCredentialScripts.save, token: credential.token,
                                 [Array(String(timeToLive).utf8)] + RedisCredentialRecord.fields(of: stored))
        guard case .integer(1) = reply else { throw unexpected("saving") }
    }

    /// The credential with this token, or nil when there is none or it expired.
    public func temporaryCredential(token: String) throws -> TemporaryCredential? {
        try credential(token: token, from: keyspace.connection.command([Array("HGETALL".utf8), key(token)]))
    }

    /// Records the approval in one script that first checks the credential exists and has no user or verifier yet.
    public func authorize(token: String, userID: String, verifier: String, grantedScopes: [String]) throws -> Bool {
        let reply = try evaluate(RedisCredentialScripts.authorize, token: token,
                                 [Array(userID.utf8), Array(verifier.utf8), RedisCredentialRecord.encode(grantedScopes)])
        switch reply {
        case .integer(1): return true
        case .integer(0): return false
        default: throw unexpected("authorizing")
        }
    }

    /// Reads and deletes the credential in one script, so of several callers at most one gets it.
    public func consume(token: String) throws -> TemporaryCredential? {
        try credential(token: token, from: evaluate(RedisCredentialScripts.consume, token: token, []))
    }

    /// The key of a token's hash.
    private func key(_ token: String) -> [UInt8] { keyspace.key("temporary", token) }

    /// Runs a script with the token's key as its one key and these arguments.
    private func evaluate(_ script: String, token: String, _ arguments: [[UInt8]]) throws -> RedisReply {
        try keyspace.connection.command([Array("EVAL".utf8), Array(script.utf8), Array("1".utf8), key(token)] + arguments)
    }

    /// Reads a credential out of a hash's fields, or throws when the hash is not one this store wrote.
    private func credential(token: String, from reply: RedisReply) throws -> TemporaryCredential? {
        let stored: TemporaryCredential?
        do {
            stored = try RedisCredentialRecord.credential(token: token, from: reply)
        } catch {
            throw keyspace.error("the temporary credential's record is malformed")
        }
        guard var credential = stored else { return nil }
        credential.secret = try sealer.open(credential.secret, owner: .temporaryCredential(token))
        return credential
    }

    /// The error for a reply of the wrong shape.
    private func unexpected(_ action: String) -> RedisCommandError {
        keyspace.error("\(action) a temporary credential gave an unexpected reply")
    }
}
