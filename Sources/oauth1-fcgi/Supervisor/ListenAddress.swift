#if canImport(Glibc)
import Glibc
#endif

/// Where `serve` listens: `unix:PATH` or `HOST:PORT` (an IPv6 host in brackets).
enum ListenAddress: Equatable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    init?(_ text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty, path.utf8.count < 100 else { return nil }
            self = .unix(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self = .tcp(host: host, port: port)
    }

    var description: String {
        switch self {
        case .unix(let path): return "unix:\(path)"
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    /// The device and inode of a unix socket's file, to tell it from one a later supervisor bound at the same path.
    func socketFileIdentity() -> [UInt64]? {
        guard case .unix(let path) = self else { return nil }
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }

    /// A bound, listening socket (close-on-exec); a stale unix socket file left by a killed supervisor is replaced.
    func bind(socketMode: mode_t, backlog: Int32 = 1024) throws -> Int32 {
        switch self {
        case .unix(let path):
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw BindError(address: description, reason: String(cString: strerror(errno))) }
            var info = stat()
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
            }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard result == 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw BindError(address: description, reason: reason)
            }
            chmod(path, socketMode)
            guard listen(descriptor, backlog) == 0 else { throw BindError(address: description, reason: String(cString: strerror(errno))) }
            return descriptor
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
            var results: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
                throw BindError(address: description, reason: "the host cannot be resolved")
            }
            defer { freeaddrinfo(results) }
            let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), first.pointee.ai_protocol)
            guard descriptor >= 0 else { throw BindError(address: description, reason: String(cString: strerror(errno))) }
            var yes: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            guard Glibc.bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(descriptor, backlog) == 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw BindError(address: description, reason: reason)
            }
            return descriptor
        }
    }
}

struct BindError: Error, CustomStringConvertible {
    let address: String
    let reason: String
    var description: String { "cannot listen on \(address): \(reason)" }
}
