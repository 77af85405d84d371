import ProviderCore
import Synchronization

/// Seals client and token secrets before they are stored and opens them when they are read, with AES-256-GCM under the
/// key ring of the secrets key file; the ring is read on first use and again when the file changes (a rotation).
public final class SecretSealer: Sendable {
    /// Where the ring comes from.
    enum Source: Sendable {
        /// A file, and whether a missing one may be created (asked only when it is missing).
        case file(path: String, mayCreate: @Sendable () throws -> Bool)
        /// A fixed ring (tests and tools).
        case fixed(SecretsKeyRing)
    }

    let source: Source
    private let loaded = Mutex<(ring: SecretsKeyRing, stamp: SecretsKeyFile.Stamp?)?>(nil)

    /// A sealer over the key file at `path`; when the file is missing, `mayCreate` says whether to create it (a SQLite
    /// site does when its database holds no sealed secret yet).
    public init(keyFile path: String, mayCreate: @escaping @Sendable () throws -> Bool = { false }) {
        source = .file(path: path, mayCreate: mayCreate)
    }

    /// A sealer over a fixed ring.
    public init(ring: SecretsKeyRing) {
        source = .fixed(ring)
    }

    /// The key file's path, if the ring comes from one.
    public var keyFilePath: String? {
        if case .file(let path, _) = source { return path }
        return nil
    }

    /// The ring as now loaded, reading the file on first use.
    public func ring() throws -> SecretsKeyRing {
        if let current = loaded.withLock({ $0?.ring }) { return current }
        return try reload()
    }

    /// Reads the key file again (when it changed), and returns the ring.
    @discardableResult
    public func reload() throws -> SecretsKeyRing {
        switch source {
        case .fixed(let ring):
            return ring
        case .file(let path, let mayCreate):
            let stamp = SecretsKeyFile.stamp(path)
            if let current = loaded.withLock({ $0 }), current.stamp == stamp, stamp != nil { return current.ring }
            var found = try SecretsKeyFile.read(path)
            if found == nil {
                guard try mayCreate() else {
                    throw SecretsKeyError("the secrets key file \(path) does not exist; the database's secrets are sealed under it, so put back the file this site used (or set OAUTH1_SECRETS_KEY_FILE to it)")
                }
                try SecretsKeyFile.create(path)
                found = try SecretsKeyFile.read(path)
            }
            guard let found else { throw SecretsKeyError("the secrets key file \(path) vanished while it was being created") }
            loaded.withLock { $0 = (found.ring, found.stamp) }
            return found.ring
        }
    }

    /// The stored form of `secret` for this row, sealed under the ring's first key (the file is checked for a rotation
    /// first: sealing is rare, a stat is cheap).
    public func seal(_ secret: String, owner: SecretOwner) throws -> String {
        let key = try reload().sealingKey
        return try Self.seal(secret, owner: owner, key: key)
    }

    /// `secret` sealed under one key.
    static func seal(_ secret: String, owner: SecretOwner, key: SecretsKeyRing.Key) throws -> String {
        var nonce = [UInt8](repeating: 0, count: AES256GCM.nonceLength)
        SystemRandomSource().fill(&nonce)
        guard let ciphertext = AES256GCM.seal(Array(secret.utf8), key: key.bytes, nonce: nonce, associatedData: owner.associatedData) else {
            throw SecretsKeyError("OpenSSL could not seal the secret of \(owner.name)")
        }
        return SealedSecret(keyIdentifier: key.identifier, nonce: nonce, ciphertext: ciphertext).stored
    }

    /// The secret a stored value holds: opened when sealed, as is when stored in clear by an older version.
    public func open(_ stored: String, owner: SecretOwner) throws -> String {
        guard SealedSecret.isSealed(stored) else { return stored }
        guard let sealed = SealedSecret(stored: stored) else {
            throw SecretsKeyError("the stored secret of \(owner.name) is damaged: it starts with \(SealedSecret.prefix) but is not a sealed secret")
        }
        var key = try ring().key(identifier: sealed.keyIdentifier)
        if key == nil { key = try reload().key(identifier: sealed.keyIdentifier) }
        guard let key else {
            throw SecretsKeyError("the secret of \(owner.name) is sealed under key \(sealed.keyIdentifier), which \(keyFilePath ?? "the key ring") does not hold; put back the key file the site used")
        }
        guard let plaintext = AES256GCM.open(sealed.ciphertext, key: key.bytes, nonce: sealed.nonce, associatedData: owner.associatedData) else {
            throw SecretsKeyError("the sealed secret of \(owner.name) does not open: it was changed, or copied from another row")
        }
        return String(decoding: plaintext, as: UTF8.self)
    }
}
