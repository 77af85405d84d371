import Glibc

/// One FastCGI responder request sent by hand over a unix socket (FastCGI specification 1.0, sections 3 and 5): for tests
/// that need to see what the worker does with the connection itself, which nginx hides.
final class FastCGIConnection {
    /// The socket; -1 once closed, so that a second `close()` cannot close a descriptor another test has since opened.
    private var descriptor: Int32

    init(socketPath: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerError("socket() failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            let bytes = Array(socketPath.utf8)
            path.copyBytes(from: bytes.prefix(path.count - 1))
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            // deinit closes the socket.
            throw ServerError("connect to \(socketPath) failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Sends a whole request: FCGI_BEGIN_REQUEST (responder, connection not kept), the parameters, then `stdin` and the
    /// empty FCGI_STDIN record that ends the input stream.
    func send(parameters: [(String, String)], stdin: [UInt8] = []) throws {
        var bytes = Self.record(type: 1, [0, 1, 0, 0, 0, 0, 0, 0])
        var pairs: [UInt8] = []
        for (name, value) in parameters {
            pairs += Self.length(name.utf8.count) + Self.length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
        }
        bytes += Self.record(type: 4, pairs) + Self.record(type: 4, [])
        if !stdin.isEmpty { bytes += Self.record(type: 5, stdin) }
        bytes += Self.record(type: 5, [])
        try write(bytes)
    }

    /// Everything the worker sends until it ends its side of the connection (the FastCGI records, unparsed).
    func readToEnd() -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return received }
            received += buffer[0..<count]
        }
    }

    /// Writes `bytes`; the error number when the worker no longer reads the connection (EPIPE, ECONNRESET), else 0.
    func writeAfterEnd(_ bytes: [UInt8]) -> Int32 {
        let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return sent < 0 ? errno : 0
    }

    func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    deinit { close() }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { throw ServerError("send failed: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    private static func record(type: UInt8, _ content: [UInt8]) -> [UInt8] {
        [1, type, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0] + content
    }

    private static func length(_ count: Int) -> [UInt8] {
        count < 128 ? [UInt8(count)] : [UInt8(0x80 | (count >> 24)), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
    }
}
