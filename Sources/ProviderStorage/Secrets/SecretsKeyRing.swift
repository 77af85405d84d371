import ProviderCore

/// The keys that seal client and token secrets: the first seals, every one opens. A key file holds them one per line in
/// base64, the sealing key first; lines starting with `#` are comments.
public struct SecretsKeyRing: Sendable, Equatable {
    /// One 256-bit key and the short identifier sealed secrets name it by.
    public struct Key: Sendable, Equatable {
        /// The key's bytes.
        public let bytes: [UInt8]
        /// Eight hexadecimal digits derived from the key (not the key's own bytes), stored with every secret it seals.
        public let identifier: String

        /// Wraps 32 bytes.
        public init(bytes: [UInt8]) {
            self.bytes = bytes
            identifier = String(Digest.hex(Digest.hash(.sha256, Array("oauth1-fcgi secrets key\u{0}".utf8) + bytes)).prefix(8))
        }

        /// A new key from the system's random generator.
        public static func generate() -> Key {
            var bytes = [UInt8](repeating: 0, count: AES256GCM.keyLength)
            SystemRandomSource().fill(&bytes)
            return Key(bytes: bytes)
        }
    }

    /// The keys, the sealing one first; never empty.
    public let keys: [Key]

    /// A ring of these keys, the first sealing.
    public init(keys: [Key]) throws(SecretsKeyError) {
        guard !keys.isEmpty else { throw SecretsKeyError("the secrets key file holds no key; it needs one base64 line of 32 bytes") }
        self.keys = keys
    }

    /// The key new secrets are sealed with.
    public var sealingKey: Key { keys[0] }

    /// The key with this identifier, if the ring holds it.
    public func key(identifier: String) -> Key? { keys.first { $0.identifier == identifier } }

    /// Parses a key file's bytes; `path` only names the file in errors.
    public init(fileBytes bytes: [UInt8], path: String) throws(SecretsKeyError) {
        var keys = [Key]()
        var number = 0
        var lineStart = 0
        while lineStart <= bytes.count {
            number += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var first = lineStart, last = lineEnd
            while first < last && Self.isBlank(bytes[first]) { first += 1 }
            while last > first && Self.isBlank(bytes[last - 1]) { last -= 1 }
            if first < last && bytes[first] != UInt8(ascii: "#") {
                guard let decoded = Base64.decode(String(decoding: bytes[first..<last], as: UTF8.self)), decoded.count == AES256GCM.keyLength else {
                    throw SecretsKeyError("\(path) line \(number) is not a key: each key is 32 bytes in base64 (44 characters)")
                }
                keys.append(Key(bytes: decoded))
            }
            lineStart = lineEnd + 1
        }
        guard !keys.isEmpty else { throw SecretsKeyError("\(path) holds no key; each key is one line of 32 bytes in base64") }
        try self.init(keys: keys)
    }

    /// A space, a tab or a carriage return.
    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    /// The key file's text: a comment saying what it is, then the keys, the sealing one first.
    public var fileText: String {
        var text = "# oauth1-fcgi secrets key: seals client and token secrets in the database. Keep it out of backups of\n"
        text += "# the database and give the same file to every host. The first key seals; every key opens.\n"
        for key in keys { text += Base64.encode(key.bytes) + "\n" }
        return text
    }
}

/// The secrets key file is missing, malformed or lacks a key a sealed secret names.
public struct SecretsKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and what to do.
    public let message: String

    /// Creates the error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
