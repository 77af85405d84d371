import COpenSSL
import ProviderCore
import Synchronization

/// Placeholder hashes by parameters, made on first need (hashing at start-up would cost every CGI process tens of milliseconds).
private let placeholderHashes = Mutex<[String: String]>([:])

/// Password hashing with scrypt from OpenSSL, salted, its parameters kept inside the stored string so they can be raised later.
/// The stored form is `scrypt$LOG2N$R$P$SALT$HASH` with base64 salt and hash.
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's cost N.
    public let logN: Int
    /// scrypt's block size r.
    public let blockSize: Int
    /// scrypt's parallelism p.
    public let parallelism: Int

    /// N = 2^15, r = 8, p = 1: 32 MiB and tens of milliseconds per hash, the parameters commonly recommended for interactive logins.
    public static let standard = PasswordHasher(logN: 15, blockSize: 8, parallelism: 1)

    /// Creates a hasher with explicit parameters (tests use small ones).
    public init(logN: Int, blockSize: Int, parallelism: Int) {
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    private static let saltLength = 16
    private static let hashLength = 32

    /// Hashes a password with a fresh random salt.
    public func hash(_ password: String, random: any RandomSource = SystemRandomSource()) throws -> String {
        var salt = [UInt8](repeating: 0, count: Self.saltLength)
        random.fill(&salt)
        let derived = try Self.scrypt(password, salt: salt, logN: logN, r: blockSize, p: parallelism)
        return "scrypt$\(logN)$\(blockSize)$\(parallelism)$\(Base64.encode(salt))$\(Base64.encode(derived))"
    }

    /// Whether the password matches the stored hash, compared in constant time; false for a malformed hash.
    public func verify(_ password: String, against stored: String) -> Bool {
        guard let parsed = Self.parse(stored),
              let derived = try? Self.scrypt(password, salt: parsed.salt, logN: parsed.logN, r: parsed.r, p: parsed.p) else {
            return false
        }
        return ConstantTime.equals(derived, parsed.hash)
    }

    /// The hash of a random, forgotten password with this hasher's parameters: verified against when a username is unknown,
    /// so that case costs the same work as a wrong password. Made once per process, on first use.
    public func placeholderHash() -> String {
        let key = "\(logN)$\(blockSize)$\(parallelism)"
        if let cached = placeholderHashes.withLock({ $0[key] }) { return cached }
        let made = (try? hash(CredentialGenerator().string(length: 32))) ?? ""
        placeholderHashes.withLock { $0[key] = made }
        return made
    }

    /// Whether a stored hash uses weaker parameters than this hasher's, so it should be replaced at the next successful login.
    public func needsRehash(_ stored: String) -> Bool {
        guard let parsed = Self.parse(stored) else { return true }
        return parsed.logN < logN || parsed.r < blockSize || parsed.p < parallelism
    }

    private static func parse(_ stored: String) -> (logN: Int, r: Int, p: Int, salt: [UInt8], hash: [UInt8])? {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
              let logN = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
              (1...22).contains(logN), (1...32).contains(r), (1...16).contains(p),
              let salt = Base64.decode(String(parts[4])), let hash = Base64.decode(String(parts[5])),
              !salt.isEmpty, hash.count == hashLength else { return nil }
        return (logN, r, p, salt, hash)
    }

    private static func scrypt(_ password: String, salt: [UInt8], logN: Int, r: Int, p: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: hashLength)
        let n = UInt64(1) << UInt64(logN)
        let memory = 128 * n * UInt64(r) * UInt64(p) + 1024 * 1024 * 64
        let status = EVP_PBE_scrypt(password, password.utf8.count, salt, salt.count, n, UInt64(r), UInt64(p), memory,
                                    &output, output.count)
        guard status == 1 else { throw PasswordHashError() }
        return output
    }
}

/// OpenSSL refused the scrypt parameters or ran out of memory.
public struct PasswordHashError: Error, Sendable, CustomStringConvertible {
    public var description: String { "scrypt failed: the parameters are out of range or memory ran out" }
}
