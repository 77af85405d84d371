import OAuth1Gateway
#if canImport(Glibc)
import Glibc
#endif

/// The listening socket a service manager passes under the socket-activation protocol (systemd, systemd-socket-activate,
/// as php-fpm accepts it): `LISTEN_PID` names this process, `LISTEN_FDS` counts the sockets, and the first is fd 3.
enum SocketActivation {
    /// The first descriptor passed (SD_LISTEN_FDS_START).
    static let firstDescriptor: Int32 = 3
    /// The variables of the protocol, which a process started by this one must never see.
    static let variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]

    /// Fd 3 when a listening stream socket was passed to this process, nil when nothing was passed to it; throws when the
    /// variables say a socket was passed but fd 3 is not one. The variables are removed from the environment either way,
    /// so the workers (which inherit it) never take them for their own.
    static func takeListener() throws -> Int32? {
        let pid = getenv("LISTEN_PID").map { String(cString: $0) }
        let count = getenv("LISTEN_FDS").map { String(cString: $0) }
        clearEnvironment()
        guard let pid, let count, pid_t(pid) == getpid() else { return nil }
        guard let number = Int(count), number >= 1 else {
            throw CommandFailure("LISTEN_FDS is '\(count)': the service manager passed no socket")
        }
        guard isListeningStreamSocket(firstDescriptor) else {
            throw CommandFailure("fd \(firstDescriptor), passed by the service manager, is not a listening stream socket")
        }
        if number > 1 { Log.info("the service manager passed \(number) sockets; serving on the first (fd \(firstDescriptor)) only") }
        return firstDescriptor
    }

    /// Removes the protocol's variables from this process's environment.
    static func clearEnvironment() {
        for name in variables { unsetenv(name) }
    }

    /// Whether `descriptor` is a stream socket that is listening.
    static func isListeningStreamSocket(_ descriptor: Int32) -> Bool {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(descriptor, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        return option(SO_TYPE) == Int32(SOCK_STREAM.rawValue) && option(SO_ACCEPTCONN) == 1
    }

    /// The address a socket is bound to, for the log; nil when it cannot be told.
    static func address(of descriptor: Int32) -> ListenAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { return nil }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        switch Int32(storage.ss_family) {
        case AF_UNIX:
            let path = withUnsafeBytes(of: &storage) { bytes -> String in
                let pathBytes = bytes.dropFirst(MemoryLayout<sa_family_t>.size).prefix(Int(length) - MemoryLayout<sa_family_t>.size)
                return String(decoding: pathBytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            return path.isEmpty ? nil : .unix(path: path)
        case AF_INET, AF_INET6:
            let found = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
                }
            }
            guard found == 0, let port = Int(String(cString: service)) else { return nil }
            return .tcp(host: String(cString: host), port: port)
        default:
            return nil
        }
    }
}
