#if canImport(Glibc)
import Glibc
#endif

/// The protocol parameters the provider itself reads (RFC 5849 sections 2 and 3.1, and the Body Hash extension): each is
/// recognised once, from its bytes, while the request's parameters are collected, and then read by position, not by name.
enum KnownProtocolParameter: Int, CaseIterable {
    case consumerKey, token, signatureMethod, signature, timestamp, nonce, version, callback, verifier, bodyHash

    /// The parameter's name, as a constant whose bytes are compared without building a string.
    var spelling: StaticString {
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

    /// The parameter's name: made once per process from its spelling, so a parsed name that spells it shares its storage.
    var name: String { Self.names[rawValue] }

    private static let names: [String] = allCases.map { $0.spelling.description }

    /// The parameter a decoded name spells, or nil: the length picks the candidates, the bytes decide.
    init?(_ name: UnsafeBufferPointer<UInt8>) {
        let found: KnownProtocolParameter?
        switch name.count {
        case 11: found = Self.spelled(by: name, .token) ?? Self.spelled(by: name, .nonce)
        case 13: found = Self.spelled(by: name, .version)
        case 14: found = Self.spelled(by: name, .callback) ?? Self.spelled(by: name, .verifier)
        case 15: found = Self.spelled(by: name, .signature) ?? Self.spelled(by: name, .timestamp) ?? Self.spelled(by: name, .bodyHash)
        case 18: found = Self.spelled(by: name, .consumerKey)
        case 22: found = Self.spelled(by: name, .signatureMethod)
        default: found = nil
        }
        guard let found else { return nil }
        self = found
    }

    /// `candidate` when `name` has exactly its bytes.
    private static func spelled(by name: UnsafeBufferPointer<UInt8>, _ candidate: KnownProtocolParameter) -> KnownProtocolParameter? {
        let spelling = candidate.spelling
        guard let base = name.baseAddress, spelling.utf8CodeUnitCount == name.count,
              memcmp(base, spelling.utf8Start, name.count) == 0 else { return nil }
        return candidate
    }
}

/// Where each known protocol parameter sits in a request's list of all its parameters.
struct KnownProtocolParameterPositions: Sendable {
    private var positions = [Int?](repeating: nil, count: KnownProtocolParameter.allCases.count)

    /// The position of `parameter` in the request's parameter list, or nil when the request did not send it.
    subscript(parameter: KnownProtocolParameter) -> Int? {
        get { positions[parameter.rawValue] }
        set { positions[parameter.rawValue] = newValue }
    }
}
