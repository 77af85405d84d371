/// The request target and the mount point: where the path the client signed ends and the application's route begins.
extension GatewayRequestDecoder {
    /// Servers that do not pass REQUEST_URI get it rebuilt from SCRIPT_NAME, PATH_INFO and QUERY_STRING.
    static func reconstructTarget(_ environment: GatewayEnvironment) -> String {
        let path = (environment["SCRIPT_NAME"] ?? "") + (environment["PATH_INFO"] ?? "")
        let query = environment["QUERY_STRING"] ?? ""
        return (path.isEmpty ? "/" : path) + (query.isEmpty ? "" : "?" + query)
    }

    /// Splits a request target into raw path and raw query, refusing what no client can have signed.
    static func splitTarget(_ target: String) throws(GatewayError) -> (String, String?) {
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

    /// Whether `prefix` is the whole path or its leading segments.
    static func isSegmentPrefix(_ prefix: String, of path: String) -> Bool {
        path == prefix || path.hasPrefix(prefix + "/")
    }

    /// The route: the decoded path below the mount point, `/` for the mount point itself; the whole path when it lies elsewhere.
    static func route(_ path: String, below mount: String) -> String {
        guard !mount.isEmpty, isSegmentPrefix(mount, of: path) else { return path.isEmpty ? "/" : path }
        let rest = String(path.dropFirst(mount.count))
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
