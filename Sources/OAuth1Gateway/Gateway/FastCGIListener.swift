#if canImport(Glibc)
import Glibc
#endif

/// Takes a worker's next connection from the listening socket itself, before libfcgi reads the request from it, so that a
/// SIGTERM ends a waiting worker at once exactly while it holds no connection (`awaitingRequest`): inside libfcgi's own
/// accept the same signal could also land after a connection was taken, and that request was dropped (nginx answered 502).
/// Nil when libfcgi must accept by itself: `FCGI_WEB_SERVER_ADDRS` is set (libfcgi filters TCP clients by it).
/// (docs/architecture.md, section "How a worker accepts and closes connections".)
struct FastCGIListener {
    let descriptor: Int32
    /// Whether connections are local (AF_UNIX): like libfcgi, one that sends nothing for 2 s is dropped rather than
    /// holding the worker.
    private let isLocal: Bool

    init?(descriptor: Int32) {
        guard getenv("FCGI_WEB_SERVER_ADDRS") == nil else { return nil }
        self.descriptor = descriptor
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        isLocal = named == 0 && Int32(address.ss_family) == AF_UNIX
    }

    /// The next connection, or nil once the worker must stop (SIGTERM, or the listening socket failed).
    func accept() -> Int32? {
        while !Signals.stopRequested {
            awaitingRequest = 1
            let connection = Glibc.accept(descriptor, nil, nil)
            awaitingRequest = 0
            if connection >= 0 {
                if isLocal, !Self.sendsWithin(connection, milliseconds: 2000) {
                    close(connection)
                    continue
                }
                return connection
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO, ECONNRESET, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH:
                continue
            case EAGAIN:
                // A non-blocking listening socket (not ours to change): wait until a connection is there.
                var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&ready, 1, 1000)
            default:
                Log.error("accept on the listening socket failed: \(String(cString: strerror(errno)))")
                return nil
            }
        }
        return nil
    }

    private static func sendsWithin(_ connection: Int32, milliseconds: Int32) -> Bool {
        var ready = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
        while true {
            let count = poll(&ready, 1, milliseconds)
            if count < 0, errno == EINTR { continue }
            return count > 0 && ready.revents & Int16(POLLIN) != 0
        }
    }
}
