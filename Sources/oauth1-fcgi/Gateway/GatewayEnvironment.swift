#if canImport(Glibc)
import Glibc
#endif

/// The CGI/FastCGI variables a request is decoded from: the few the decoder reads and the `HTTP_` ones, picked out of the
/// server's `NAME=value` list in one pass, so the other parameters (about twenty behind nginx) never become Strings.
struct GatewayEnvironment: Sendable, ExpressibleByDictionaryLiteral {
    /// A variable the decoder reads (RFC 3875 section 4.1, FastCGI's role, and the provider's own authorizer settings).
    enum Variable: Int, CaseIterable, Sendable {
        case requestMethod, requestURI, queryString, scriptName, pathInfo, contentLength, contentType, https, requestScheme,
             serverName, serverPort, remoteAddress, remoteUser, redirectedAuthorization, fastCGIRole, requiredScope, allowsTwoLegged

        /// The variable's name as the server passes it.
        var name: String {
            switch self {
            case .requestMethod: "REQUEST_METHOD"
            case .requestURI: "REQUEST_URI"
            case .queryString: "QUERY_STRING"
            case .scriptName: "SCRIPT_NAME"
            case .pathInfo: "PATH_INFO"
            case .contentLength: "CONTENT_LENGTH"
            case .contentType: "CONTENT_TYPE"
            case .https: "HTTPS"
            case .requestScheme: "REQUEST_SCHEME"
            case .serverName: "SERVER_NAME"
            case .serverPort: "SERVER_PORT"
            case .remoteAddress: "REMOTE_ADDR"
            case .remoteUser: "REMOTE_USER"
            case .redirectedAuthorization: "REDIRECT_HTTP_AUTHORIZATION"
            case .fastCGIRole: "FCGI_ROLE"
            case .requiredScope: "OAUTH_REQUIRED_SCOPE"
            case .allowsTwoLegged: "OAUTH_ALLOW_TWO_LEGGED"
            }
        }

        /// The names' bytes grouped by length, so matching a name compares it with one to five candidates at most.
        private static let namesByLength: [[(variable: Variable, name: [UInt8])]] = {
            var table = [[(variable: Variable, name: [UInt8])]]()
            for variable in allCases {
                let name = Array(variable.name.utf8)
                while table.count <= name.count { table.append([]) }
                table[name.count].append((variable, name))
            }
            return table
        }()

        /// The variable with exactly these name bytes. All names are ASCII without `K`, `;` or `` ` `` (the only ASCII
        /// characters with a non-ASCII canonical equivalent), so byte equality is the String equality a dictionary used.
        init?(name: UnsafeRawBufferPointer) {
            guard name.count < Self.namesByLength.count else { return nil }
            for candidate in Self.namesByLength[name.count] where candidate.name.withUnsafeBytes({ name.elementsEqual($0) }) {
                self = candidate.variable
                return
            }
            return nil
        }
    }

    private var values = [String?](repeating: nil, count: Variable.allCases.count)
    /// The `HTTP_` variables (full name, value) except HTTP_PROXY (httpoxy), sorted by name: the header order then never
    /// depends on the server's order or, for a dictionary, on its hashing.
    private(set) var headerVariables: [(name: String, value: String)] = {
        var variables = [(name: String, value: String)]()
        variables.reserveCapacity(8)
        return variables
    }()

    /// The value of a variable the decoder reads, when the server passed it.
    subscript(variable: Variable) -> String? { values[variable.rawValue] }

    /// From name/value pairs: CGI's environment, tests.
    init(_ variables: [String: String]) {
        for (name, value) in variables {
            var name = name
            switch name.withUTF8({ Self.kind(of: UnsafeRawBufferPointer($0)) }) {
            case .variable(let variable): values[variable.rawValue] = value
            case .header(let isASCII): addHeaderVariable(name, value, isASCII: isASCII)
            case .other: break
            }
        }
        headerVariables.sort { $0.name < $1.name }
    }

    /// From a literal list of name/value pairs (tests); a later pair of the same name wins.
    init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    /// From a NULL-terminated array of `NAME=value` C strings, such as libfcgi's `envp`.
    init(cStrings: UnsafePointer<UnsafeMutablePointer<CChar>?>?) {
        if var pointer = cStrings {
            while let entry = pointer.pointee {
                add(entry: UnsafeRawBufferPointer(start: entry, count: strlen(entry)))
                pointer += 1
            }
        }
        headerVariables.sort { $0.name < $1.name }
    }

    /// From `NAME=value` entries as bytes (the fuzz harness's lines).
    init(entries: [ArraySlice<UInt8>]) {
        for entry in entries {
            entry.withUnsafeBytes { add(entry: $0) }
        }
        headerVariables.sort { $0.name < $1.name }
    }

    /// Takes one entry, split at its first `=` byte; an entry without one is ignored. A later entry of the same name wins,
    /// as it did in a dictionary.
    private mutating func add(entry: UnsafeRawBufferPointer) {
        guard let start = entry.baseAddress, let equals = memchr(start, Int32(UInt8(ascii: "=")), entry.count) else { return }
        let nameLength = UnsafeRawPointer(equals) - start
        let name = UnsafeRawBufferPointer(rebasing: entry[..<nameLength])
        let value = UnsafeRawBufferPointer(rebasing: entry[(nameLength + 1)...])
        switch Self.kind(of: name) {
        case .variable(let variable):
            values[variable.rawValue] = String(decoding: value, as: UTF8.self)
        case .header(let isASCII):
            addHeaderVariable(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self), isASCII: isASCII)
        case .other:
            break
        }
    }

    /// What a name is to the decoder, judged on its bytes.
    private enum Kind {
        case variable(Variable)
        /// `HTTP_` and more, not HTTP_PROXY (httpoxy).
        case header(isASCII: Bool)
        case other
    }

    /// Sorts a name into a variable the decoder reads, an `HTTP_` variable, or neither.
    private static func kind(of name: UnsafeRawBufferPointer) -> Kind {
        if let variable = Variable(name: name) { return .variable(variable) }
        guard name.count >= 5, name[0] == UInt8(ascii: "H"), name[1] == UInt8(ascii: "T"), name[2] == UInt8(ascii: "T"),
              name[3] == UInt8(ascii: "P"), name[4] == UInt8(ascii: "_"),
              !(name.count == 10 && name.elementsEqual("HTTP_PROXY".utf8)) else { return .other }
        return .header(isASCII: name.allSatisfy { $0 < 0x80 })
    }

    /// Keeps an `HTTP_` variable. Names compare as Strings, as the dictionary's keys did: a non-ASCII name whose `_` carries
    /// a combining mark is no `HTTP_` variable, and of two canonically equal names the first spelling stays with the later value.
    private mutating func addHeaderVariable(_ name: String, _ value: String, isASCII: Bool) {
        guard isASCII || name.hasPrefix("HTTP_") else { return }
        if let index = headerVariables.firstIndex(where: { $0.name == name }) {
            headerVariables[index].value = value
        } else {
            headerVariables.append((name, value))
        }
    }
}
