/// The signature methods a provider knows by name: the built-in ones plus any an application registers (the seed's `register_signature_method`).
public struct SignatureMethodRegistry: Sendable {
    private var methods: [String: SignatureMethod]

    /// A registry holding HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, PLAINTEXT, RSA-SHA1 and RSA-SHA256; which of them are accepted is configuration.
    public static let builtIn = SignatureMethodRegistry(methods: [
        .hmacSHA1, .hmacSHA256, .hmacSHA512, .plaintext, .rsaSHA1, .rsaSHA256,
    ])

    /// Creates a registry from a list of methods; a later method replaces an earlier one of the same name.
    public init(methods: [SignatureMethod]) {
        var table = [String: SignatureMethod]()
        for method in methods { table[method.name] = method }
        self.methods = table
    }

    /// Adds a method, or replaces the one of the same name.
    public mutating func register(_ method: SignatureMethod) {
        methods[method.name] = method
    }

    /// Adds a method by name and verify function, as the seed's HMAC-SHA256 example does.
    public mutating func register(_ name: String, verify: @escaping @Sendable (SignatureInput) -> Bool) {
        register(SignatureMethod(name: name, verify: verify))
    }

    /// The method of this name, if registered.
    public subscript(name: String) -> SignatureMethod? { methods[name] }

    /// The registered names, sorted.
    public var names: [String] { methods.keys.sorted() }
}
