#if canImport(Glibc)
import Glibc
#endif

/// The CGI/FastCGI variables of one request (RFC 3875, section 4.1) by name, and the `HTTP_` ones among them, which carry
/// the request's header fields (RFC 3875, section 4.1.18).
public struct GatewayEnvironment: Sendable, ExpressibleByDictionaryLiteral {
    /// Every variable the server passed, by name.
    public let variables: [String: String]

    /// From name/value pairs: CGI's environment, tests.
    public init(_ variables: [String: String]) {
        self.variables = variables
    }

    /// From a literal list of name/value pairs (tests); a later pair of the same name wins.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    /// From `NAME=value` entries, each split at its first `=`; an entry without one is ignored, and a later entry of the
    /// same name wins.
    public init(entries: [some Collection<UInt8>]) {
        var variables = [String: String]()
        for entry in entries {
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: entry[..<equals], as: UTF8.self)
            variables[name] = String(decoding: entry[entry.index(after: equals)...], as: UTF8.self)
        }
        self.init(variables)
    }

    /// From a NULL-terminated array of `NAME=value` C strings, such as libfcgi's `envp`.
    init(cStrings: UnsafePointer<UnsafeMutablePointer<CChar>?>?) {
        var entries = [UnsafeRawBufferPointer]()
        if var pointer = cStrings {
            while let entry = pointer.pointee {
                entries.append(UnsafeRawBufferPointer(start: entry, count: strlen(entry)))
                pointer += 1
            }
        }
        self.init(entries: entries)
    }

    /// The value of a variable, when the server passed it.
    public subscript(name: String) -> String? {
        variables[name]
    }

    /// The `HTTP_` variables in String order of their names, so that the header order never depends on the server's order
    /// or on hashing; HTTP_PROXY is left out, since a client can send a `Proxy` header that a CGI program would take for
    /// its own proxy setting (httpoxy).
    var headerVariables: [(name: String, value: String)] {
        variables.filter { $0.key.hasPrefix("HTTP_") && $0.key != "HTTP_PROXY" }
            .sorted { $0.key < $1.key }
            .map { (name: $0.key, value: $0.value) }
    }
}
