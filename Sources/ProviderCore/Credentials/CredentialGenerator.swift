/// A source of random bytes; the provider's secrets come from the operating system's CSPRNG unless a test injects another.
public protocol RandomSource: Sendable {
    /// Fills the buffer with random bytes.
    func fill(_ buffer: inout [UInt8])
}

/// The operating system's CSPRNG (`getrandom` on Linux) through the standard library's `SystemRandomNumberGenerator`.
public struct SystemRandomSource: RandomSource {
    /// Creates the system random source.
    public init() {}

    /// Fills the buffer from the system generator, eight bytes from each 64-bit draw.
    public func fill(_ buffer: inout [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        var index = 0
        while index < buffer.count {
            var word = generator.next()
            for _ in 0..<8 where index < buffer.count {
                buffer[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
    }
}

/// Random credential strings over `[A-Za-z0-9]` without modulo bias (RFC 5849 section 4.9: unguessable tokens and secrets).
public struct CredentialGenerator: Sendable {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    /// The largest multiple of 62 that fits in a byte: bytes at or above it are discarded so every character is equally likely.
    private static let acceptanceLimit = UInt8(256 / 62 * 62)

    private let random: any RandomSource

    /// Creates a generator drawing from the given source.
    public init(random: any RandomSource = SystemRandomSource()) {
        self.random = random
    }

    /// A string of `length` characters drawn uniformly from `[A-Za-z0-9]`.
    public func string(length: Int) -> String {
        var output = [UInt8]()
        output.reserveCapacity(length)
        var buffer = [UInt8](repeating: 0, count: max(length + length / 4 + 8, 16))
        while output.count < length {
            random.fill(&buffer)
            for byte in buffer where byte < Self.acceptanceLimit {
                output.append(Self.alphabet[Int(byte % 62)])
                if output.count == length { break }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// The seed's token generator: makes the `oauth_token` and `oauth_token_secret` of a new credential.
public typealias TokenGenerator = @Sendable () -> (token: String, secret: String)
