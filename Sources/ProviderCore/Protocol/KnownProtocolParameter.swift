/// The protocol parameters the provider itself reads (RFC 5849 sections 2 and 3.1, and the Body Hash extension): each is
/// recognised once, from its bytes, while the request's parameters are collected, so that a repeated one and the
/// position of `oauth_signature` are found without comparing names.
enum KnownProtocolParameter: Int, CaseIterable {
    case consumerKey, token, signatureMethod, signature, timestamp, nonce, version, callback, verifier, bodyHash

    /// The parameter's name.
    var name: String {
        switch self {
        case .consumerKey: return "oauth_consumer_key"
        case .token: return "oauth_token"
        case .signatureMethod: return "oauth_signature_method"
        case .signature: return "oauth_signature"
        case .timestamp: return "oauth_timestamp"
        case .nonce: return "oauth_nonce"
        case .version: return "oauth_version"
        case .callback: return "oauth_callback"
        case .verifier: return "oauth_verifier"
        case .bodyHash: return "oauth_body_hash"
        }
    }

    /// The parameter whose name has exactly these bytes, or nil.
    init?(_ name: UnsafeBufferPointer<UInt8>) {
        guard let index = Self.spellings.firstIndex(where: { $0.count == name.count && $0.elementsEqual(name) }) else { return nil }
        self.init(rawValue: index)
    }

    private static let spellings: [[UInt8]] = allCases.map { Array($0.name.utf8) }
}

/// Where each known protocol parameter sits in a request's list of all its parameters.
struct KnownProtocolParameterPositions: Sendable {
    private var positions = [Int?](repeating: nil, count: Self.parameterCount)
    private static let parameterCount = KnownProtocolParameter.allCases.count

    /// The position of `parameter` in the request's parameter list, or nil when the request did not send it.
    subscript(parameter: KnownProtocolParameter) -> Int? {
        get { positions[parameter.rawValue] }
        set { positions[parameter.rawValue] = newValue }
    }
}
