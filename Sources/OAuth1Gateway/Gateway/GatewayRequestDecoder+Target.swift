/// The request target and the mount point: where the path the client signed ends and the application's route begins.
extension GatewayRequestDecoder {
    /// Servers that do not pass REQUEST_URI get it rebuilt from SCRIPT_NAME, PATH_INFO and QUERY_STRING.
    static func reconstructTarget(_ environment: GatewayEnvironment) -> String {
        let path = (environment[.scriptName] ?? "") + (environment[.pathInfo] ?? "")
        let query = environment[.queryString] ?? ""
        return (path.isEmpty ? "/" : path) + (query.isEmpty ? "" : "?" + query)
    }

    /// Splits a request target into raw path and raw query, refusing what no client can have signed.
    static func splitTarget(_ target: String) throws(GatewayError) -> (String, String?) {
        if let split = splitPrintableTarget(target) { return split }
        var target = target
        if !target.hasPrefix("/"), let schemeEnd = target.firstRange(of: "://") {
            let afterScheme = target[schemeEnd.upperBound...]
            target = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
        }
        // Searched as bytes: `#` and `?` are ASCII, and a target that is not printable ASCII is refused below anyway.
        if let hash = target.utf8.firstIndex(of: UInt8(ascii: "#")) { target = String(target[..<hash]) }
        guard target.hasPrefix("/"), target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw GatewayError(status: 400, message: "The request target must be an absolute path of printable ASCII.")
        }
        guard let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (target, nil) }
        return (String(target[..<question]), String(target[target.utf8.index(after: question)...]))
    }

    /// The usual target, `/` and printable ASCII up to its end or `#`, split in one pass over its bytes; nil for any other,
    /// which `splitTarget` then takes apart as before. (An ASCII character never joins the next one into a Character
    /// unless it is CR, so the byte searches agree with the Character ones.)
    private static func splitPrintableTarget(_ target: String) -> (String, String?)? {
        var target = target
        return target.withUTF8 { bytes -> (String, String?)? in
            guard bytes.first == UInt8(ascii: "/") else { return nil }
            var question: Int?
            var end = bytes.count
            for index in bytes.indices {
                let byte = bytes[index]
                if byte == UInt8(ascii: "#") {
                    end = index
                    break
                }
                guard byte > 0x20 && byte < 0x7F else { return nil }
                if byte == UInt8(ascii: "?"), question == nil { question = index }
            }
            guard let question else { return (String(decoding: bytes[..<end], as: UTF8.self), nil) }
            return (String(decoding: bytes[..<question], as: UTF8.self), String(decoding: bytes[(question + 1)..<end], as: UTF8.self))
        }
    }

    /// Whether `prefix` is the whole path or its leading segments: `path == prefix || path.hasPrefix(prefix + "/")`. Compared
    /// as bytes when both are ASCII, where that is the same answer: only CR LF is two bytes in one Character, and a `/` after
    /// the prefix joins nothing.
    static func isSegmentPrefix(_ prefix: String, of path: String) -> Bool {
        var prefix = prefix
        var path = path
        let asBytes = prefix.withUTF8 { prefixBytes in
            path.withUTF8 { pathBytes -> Bool? in
                guard prefixBytes.allSatisfy({ $0 < 0x80 }), pathBytes.allSatisfy({ $0 < 0x80 }) else { return nil }
                return pathBytes.starts(with: prefixBytes)
                    && (pathBytes.count == prefixBytes.count || pathBytes[prefixBytes.count] == UInt8(ascii: "/"))
            }
        }
        return asBytes ?? (path == prefix || path.hasPrefix(prefix + "/"))
    }

    /// The route: the decoded path below the mount point, `/` for the mount point itself; the whole path when it lies elsewhere.
    static func route(_ path: String, below mount: String) -> String {
        guard !mount.isEmpty, isSegmentPrefix(mount, of: path) else { return path.isEmpty ? "/" : path }
        var path = path
        var mount = mount
        // Both ASCII, the usual case: the mount's Characters are its bytes.
        let rest = mount.withUTF8 { mountBytes in
            path.withUTF8 { pathBytes -> String? in
                guard mountBytes.allSatisfy({ $0 < 0x80 }), pathBytes.allSatisfy({ $0 < 0x80 }) else { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: pathBytes[mountBytes.count...]), as: UTF8.self)
            }
        } ?? String(path.dropFirst(mount.count))
        return rest.isEmpty ? "/" : rest
    }

    /// The mount point: SCRIPT_NAME when it is a prefix of the path (CGI and `fastcgi_param SCRIPT_NAME`); else, when a
    /// rewrite hid the script's name (`/oauth/initiate` served by `/oauth/oauth1.cgi/initiate`), the path less PATH_INFO;
    /// else the root.
    static func mountPath(scriptName: String?, pathInfo: String? = nil, path: String) -> String {
        guard var script = scriptName, !script.isEmpty else { return "" }
        while script.hasSuffix("/") { script.removeLast() }
        if isSegmentPrefix(script, of: path) { return script }
        if let pathInfo, pathInfo.hasPrefix("/"), path.utf8.suffix(pathInfo.utf8.count).elementsEqual(pathInfo.utf8) {
            // By bytes: hasSuffix compares characters, and a path may start with a combining mark that joins the one before.
            var mount = String(decoding: path.utf8.dropLast(pathInfo.utf8.count), as: UTF8.self)
            while mount.hasSuffix("/") { mount.removeLast() }
            return mount
        }
        return ""
    }
}
