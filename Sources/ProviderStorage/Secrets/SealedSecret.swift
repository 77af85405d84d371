import ProviderCore

/// A secret as the database stores it once sealed: `enc1:KEYID:BASE64`, where KEYID names the key in the ring and BASE64
/// holds the 12-byte nonce, the AES-256-GCM ciphertext and the 16-byte tag. A stored value without the `enc1:` prefix is
/// a secret an older version stored in clear, which `migrate` seals.
public struct SealedSecret: Sendable, Equatable {
    /// What every sealed value starts with.
    public static let prefix = "enc1:"

    /// The identifier of the key that sealed it.
    public let keyIdentifier: String
    /// The nonce, unique to this sealing.
    public let nonce: [UInt8]
    /// The ciphertext followed by the tag.
    public let ciphertext: [UInt8]

    /// Wraps the parts of a sealing.
    public init(keyIdentifier: String, nonce: [UInt8], ciphertext: [UInt8]) {
        self.keyIdentifier = keyIdentifier
        self.nonce = nonce
        self.ciphertext = ciphertext
    }

    /// Whether a stored value claims to be sealed (it may still be damaged).
    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    /// Parses a stored sealed value; nil when it is not `enc1:` followed by eight hexadecimal digits, a colon and base64
    /// of at least a nonce and a tag.
    public init?(stored: String) {
        guard Self.isSealed(stored) else { return nil }
        let rest = stored.utf8.dropFirst(Self.prefix.utf8.count)
        guard rest.count > 9, let colon = rest.firstIndex(of: UInt8(ascii: ":")), rest.distance(from: rest.startIndex, to: colon) == 8
        else { return nil }
        let identifier = Substring(rest[rest.startIndex..<colon])
        let lowercaseHex = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) }
        guard identifier.utf8.allSatisfy(lowercaseHex),
              let bytes = Base64.decode(String(Substring(rest[rest.index(after: colon)...]))),
              bytes.count >= AES256GCM.nonceLength + AES256GCM.tagLength
        else { return nil }
        keyIdentifier = String(identifier)
        nonce = Array(bytes.prefix(AES256GCM.nonceLength))
        ciphertext = Array(bytes.dropFirst(AES256GCM.nonceLength))
    }

    /// The value the database stores.
    public var stored: String { Self.prefix + keyIdentifier + ":" + Base64.encode(nonce + ciphertext) }
}

/// The row a secret belongs to; its sealing authenticates this, so a sealed secret copied into another row does not open.
public enum SecretOwner: Sendable, Equatable {
    /// A client's shared secret, by client identifier.
    case client(String)
    /// A token credential's secret, by token.
    case tokenCredential(String)
    /// A temporary credential's secret, by token.
    case temporaryCredential(String)

    /// The associated data of the sealing: the kind of secret and the row's key.
    var associatedData: [UInt8] {
        switch self {
        case .client(let identifier): Array("client\u{0}\(identifier)".utf8)
        case .tokenCredential(let token): Array("token\u{0}\(token)".utf8)
        case .temporaryCredential(let token): Array("temporary\u{0}\(token)".utf8)
        }
    }

    /// The row, as error messages name it (a token only by its first characters).
    var name: String {
        switch self {
        case .client(let identifier): "client \(identifier)"
        case .tokenCredential(let token): "token credential \(token.prefix(6))…"
        case .temporaryCredential(let token): "temporary credential \(token.prefix(6))…"
        }
    }
}
