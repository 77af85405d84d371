#if canImport(Glibc)
import Glibc
#endif

/// The CGI/FastCGI variables a request is decoded from: the few the decoder reads and the `HTTP_` ones, picked out of the
/// server's `NAME=value` list in one pass and copied into one buffer, so that no variable becomes a String before it is read
/// and the other parameters (about twenty behind nginx) never do.
public struct GatewayEnvironment: Sendable, ExpressibleByDictionaryLiteral {
    /// A variable the decoder reads (RFC 3875 section 4.1, FastCGI's role, and the provider's own authorizer settings).
    enum Variable: Int, CaseIterable, Sendable {
        case requestMethod, requestURI, queryString, scriptName, pathInfo, contentLength, contentType, https, requestScheme,
             serverName, serverPort, remoteAddress, remoteUser, redirectedAuthorization, fastCGIRole, requiredScope, allowsTwoLegged

        /// The variable's name as the server passes it.
        var name: StaticString {
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

        /// The one variable a name could be, told by its length and a byte or two (the names differ there); nil when no
        /// variable's name has that shape. `init(name:)` then compares the whole name.
        private static func candidate(for name: UnsafeRawBufferPointer) -> Variable? {
            switch name.count {
            case 5: return .https
            case 9: return name[0] == UInt8(ascii: "P") ? .pathInfo : .fastCGIRole
            case 11:
                // REQUEST_URI, REMOTE_USER, SCRIPT_NAME, SERVER_NAME, SERVER_PORT, REMOTE_ADDR: byte 7, then byte 1.
                switch name[7] {
                case UInt8(ascii: "_"): return .requestURI
                case UInt8(ascii: "U"): return .remoteUser
                case UInt8(ascii: "N"): return name[1] == UInt8(ascii: "C") ? .scriptName : .serverName
                case UInt8(ascii: "P"): return .serverPort
                case UInt8(ascii: "A"): return .remoteAddress
                default: return nil
                }
            case 12: return name[0] == UInt8(ascii: "Q") ? .queryString : .contentType
            case 14:
                // REQUEST_METHOD, REQUEST_SCHEME, CONTENT_LENGTH.
                if name[0] == UInt8(ascii: "C") { return .contentLength }
                return name[8] == UInt8(ascii: "M") ? .requestMethod : .requestScheme
            case 20: return .requiredScope
            case 22: return .allowsTwoLegged
            case 27: return .redirectedAuthorization
            default: return nil
            }
        }

        /// The variable with exactly these name bytes. All names are ASCII without `K`, `;` or `` ` `` (the only ASCII
        /// characters with a non-ASCII canonical equivalent), so byte equality is the String equality a dictionary used.
        init?(name: UnsafeRawBufferPointer) {
            guard let start = name.baseAddress, let candidate = Self.candidate(for: name),
                  memcmp(start, candidate.name.utf8Start, name.count) == 0 else { return nil }
            self = candidate
        }
    }

    /// A kept `HTTP_` variable: where its name and value lie in `bytes`.
    private struct HeaderVariable: Sendable {
        var name: Range<Int>
        var value: Range<Int>
    }

    /// The kept names and values, one after another; a replaced value stays behind unused.
    private var bytes = [UInt8]()
    /// Where each variable's value lies in `bytes`, by raw value; nil when the server did not pass it.
    private var valueRanges = Self.noValues
    /// No variable passed yet: one slot per variable.
    private static let noValues = [Range<Int>?](repeating: nil, count: Variable.allCases.count)

    /// Where a variable's value lies in `bytes`, when the server passed it.
    private func range(of variable: Variable) -> Range<Int>? {
        valueRanges[variable.rawValue]
    }
    /// The `HTTP_` variables except HTTP_PROXY (httpoxy), sorted by name once all are in: the header order then never depends
    /// on the server's order or, for a dictionary, on its hashing.
    private var headerVariables = [HeaderVariable]()
    /// Whether a kept `HTTP_` name is not ASCII: names are then compared and sorted as Strings rather than as bytes.
    private var hasNonASCIIHeaderName = false

    /// The value of a variable the decoder reads, when the server passed it; made into a String only now.
    subscript(variable: Variable) -> String? {
        guard let range = range(of: variable) else { return nil }
        return bytes.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// Whether a variable was passed with a value that is not empty, without making it a String.
    func hasValue(_ variable: Variable) -> Bool {
        range(of: variable).map { !$0.isEmpty } ?? false
    }

    /// Whether a variable was passed with exactly this value, compared as bytes without making it a String.
    func value(_ variable: Variable, is expected: StaticString) -> Bool {
        guard let range = range(of: variable), range.count == expected.utf8CodeUnitCount else { return false }
        guard !range.isEmpty else { return true }
        return bytes.withUnsafeBytes { memcmp($0.baseAddress! + range.lowerBound, expected.utf8Start, range.count) == 0 }
    }

    /// Whether a variable was passed with the lowercase ASCII `lowercase` in any ASCII case, compared as bytes: what
    /// `GatewayRequestDecoder.equalsIgnoringASCIICase` answers for its String, for a word without `k`.
    func value(_ variable: Variable, isIgnoringASCIICase lowercase: StaticString) -> Bool {
        guard let range = range(of: variable), range.count == lowercase.utf8CodeUnitCount else { return false }
        return bytes.withUnsafeBytes { buffer in
            zip(buffer[range], UnsafeBufferPointer(start: lowercase.utf8Start, count: range.count)).allSatisfy { (byte: UInt8, lower: UInt8) in
                (byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte) == lower
            }
        }
    }

    /// How many `HTTP_` variables there are.
    var headerVariableCount: Int { headerVariables.count }

    /// Calls `body` with each `HTTP_` variable's name and value bytes, in name order.
    func forEachHeaderVariable(_ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { buffer in
            for variable in headerVariables {
                body(UnsafeRawBufferPointer(rebasing: buffer[variable.name]), UnsafeRawBufferPointer(rebasing: buffer[variable.value]))
            }
        }
    }

    /// From name/value pairs: CGI's environment, tests.
    public init(_ variables: [String: String]) {
        for (name, value) in variables {
            var name = name
            var value = value
            name.withUTF8 { name in value.withUTF8 { add(name: UnsafeRawBufferPointer(name), value: UnsafeRawBufferPointer($0)) } }
        }
        sortHeaderVariables()
    }

    /// From a literal list of name/value pairs (tests); a later pair of the same name wins.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    /// No variables at all; `load(cStrings:)` fills it.
    init() {}

    /// From a NULL-terminated array of `NAME=value` C strings, such as libfcgi's `envp`.
    init(cStrings: UnsafePointer<UnsafeMutablePointer<CChar>?>?) {
        load(cStrings: cStrings)
    }

    /// Replaces every variable with those of a NULL-terminated array of `NAME=value` C strings, keeping the buffers: a
    /// FastCGI worker reloads one environment for each request, so that a request allocates nothing here.
    mutating func load(cStrings: UnsafePointer<UnsafeMutablePointer<CChar>?>?) {
        bytes.removeAll(keepingCapacity: true)
        valueRanges = Self.noValues
        headerVariables.removeAll(keepingCapacity: true)
        hasNonASCIIHeaderName = false
        if var pointer = cStrings {
            while let entry = pointer.pointee {
                add(entry: UnsafeRawBufferPointer(start: entry, count: strlen(entry)))
                pointer += 1
            }
        }
        sortHeaderVariables()
    }

    /// From `NAME=value` entries as bytes (the fuzz harness's lines).
    public init(entries: [ArraySlice<UInt8>]) {
        for entry in entries {
            entry.withUnsafeBytes { add(entry: $0) }
        }
        sortHeaderVariables()
    }

    /// Takes one entry, split at its first `=` byte; an entry without one is ignored.
    private mutating func add(entry: UnsafeRawBufferPointer) {
        guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { return }
        add(name: UnsafeRawBufferPointer(rebasing: entry[..<equals]), value: UnsafeRawBufferPointer(rebasing: entry[(equals + 1)...]))
    }

    /// Keeps a variable the decoder reads or an `HTTP_` variable; a later one of the same name wins, as it did in a dictionary.
    private mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        if let variable = Variable(name: name) {
            let range = append(value)
            valueRanges[variable.rawValue] = range
            return
        }
        guard name.count >= 5, name[0] == UInt8(ascii: "H"), name[1] == UInt8(ascii: "T"), name[2] == UInt8(ascii: "T"),
              name[3] == UInt8(ascii: "P"), name[4] == UInt8(ascii: "_"),
              !(name.count == 10 && name.elementsEqual("HTTP_PROXY".utf8)) else { return }
        let isASCII = name.allSatisfy { $0 < 0x80 }
        // Names compare as Strings, as the dictionary's keys did: a non-ASCII name whose `_` carries a combining mark is no
        // `HTTP_` variable, and of two canonically equal names the first spelling stays with the later value.
        if !isASCII, !String(decoding: name, as: UTF8.self).hasPrefix("HTTP_") { return }
        if let index = headerIndex(named: name, isASCII: isASCII) {
            headerVariables[index].value = append(value)
            return
        }
        hasNonASCIIHeaderName = hasNonASCIIHeaderName || !isASCII
        if headerVariables.capacity == 0 { headerVariables.reserveCapacity(8) }
        let nameRange = append(name)
        headerVariables.append(HeaderVariable(name: nameRange, value: append(value)))
    }

    /// The kept `HTTP_` variable whose name equals this one: as bytes while every name is ASCII, else as Strings.
    private func headerIndex(named name: UnsafeRawBufferPointer, isASCII: Bool) -> Int? {
        bytes.withUnsafeBytes { buffer in
            if isASCII, !hasNonASCIIHeaderName {
                return headerVariables.firstIndex {
                    $0.name.count == name.count && memcmp(buffer.baseAddress! + $0.name.lowerBound, name.baseAddress!, name.count) == 0
                }
            }
            let text = String(decoding: name, as: UTF8.self)
            return headerVariables.firstIndex { String(decoding: buffer[$0.name], as: UTF8.self) == text }
        }
    }

    /// Copies bytes to the end of `bytes` and returns where they now lie.
    private mutating func append(_ part: UnsafeRawBufferPointer) -> Range<Int> {
        let start = bytes.count
        bytes.append(contentsOf: part)
        return start..<bytes.count
    }

    /// Puts the `HTTP_` variables in String order of their names: for ASCII names that is the order of their bytes.
    private mutating func sortHeaderVariables() {
        guard headerVariables.count > 1 else { return }
        let stored = bytes
        stored.withUnsafeBytes { buffer in
            if hasNonASCIIHeaderName {
                headerVariables.sort { String(decoding: buffer[$0.name], as: UTF8.self) < String(decoding: buffer[$1.name], as: UTF8.self) }
            } else {
                // Byte order, a shorter name first when it is a prefix of the other: memcmp, then the lengths.
                headerVariables.sort { lhs, rhs in
                    let common = min(lhs.name.count, rhs.name.count)
                    let order = common == 0 ? 0 : memcmp(buffer.baseAddress! + lhs.name.lowerBound, buffer.baseAddress! + rhs.name.lowerBound, common)
                    return order != 0 ? order < 0 : lhs.name.count < rhs.name.count
                }
            }
        }
    }
}
