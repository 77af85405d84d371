import Foundation
import Glibc
import Testing

/// How a worker ends a connection that nginx does not keep: a plain close once the request's input has ended (one system
/// call instead of libfcgi's shutdown, wait and read; most of what made the floor and the provider fast), and libfcgi's
/// graceful close whenever input is left unread, so that the web server never sees a reset instead of the answer.
@Suite(.serialized) struct ConnectionCloseTests {
    static func parameters(method: String, path: String, contentLength: Int? = nil) -> [(String, String)] {
        [("GATEWAY_INTERFACE", "CGI/1.1"), ("SERVER_PROTOCOL", "HTTP/1.1"), ("REQUEST_METHOD", method),
         ("REQUEST_URI", "/oauth" + path), ("QUERY_STRING", ""), ("SCRIPT_NAME", "/oauth"), ("PATH_INFO", path),
         ("REQUEST_SCHEME", "http"), ("SERVER_NAME", "127.0.0.1"), ("SERVER_PORT", "80"), ("REMOTE_ADDR", "127.0.0.1"),
         ("HTTP_HOST", "127.0.0.1"), ("CONTENT_TYPE", contentLength == nil ? "" : "application/x-www-form-urlencoded"),
         ("CONTENT_LENGTH", contentLength.map(String.init) ?? "")]
    }

    /// After the answer and the end of the connection, a byte written by the web server finds no reader: the worker
    /// closed outright. (After a graceful close the worker would still be reading, for up to 2 s, and the write succeed.)
    @Test func endedInputGetsAPlainClose() throws {
        let server = try ProviderServer(workers: 1)
        defer { server.stop() }
        for _ in 0..<3 {
            let connection = try FastCGIConnection(socketPath: server.socket)
            defer { connection.close() }
            try connection.send(parameters: Self.parameters(method: "GET", path: "/health"))
            let answer = String(decoding: connection.readToEnd(), as: UTF8.self)
            #expect(answer.contains("Status: 200"))
            usleep(50_000)
            let error = connection.writeAfterEnd([1, 5, 0, 1, 0, 0, 0, 0])
            #expect(error == EPIPE || error == ECONNRESET, "the write after the end got errno \(error)")
        }
    }

    /// Input the worker did not read (a body longer than CONTENT_LENGTH said) keeps libfcgi's graceful close: the worker
    /// is still reading after it has ended its side, so a late write is accepted, and the next request is served.
    @Test func unreadInputKeepsTheGracefulClose() throws {
        let server = try ProviderServer(workers: 1)
        defer { server.stop() }
        let connection = try FastCGIConnection(socketPath: server.socket)
        defer { connection.close() }
        try connection.send(parameters: Self.parameters(method: "GET", path: "/health", contentLength: 0),
                            stdin: Array("unread=body".utf8))
        let answer = String(decoding: connection.readToEnd(), as: UTF8.self)
        #expect(answer.contains("Status: 200"))
        usleep(50_000)
        #expect(connection.writeAfterEnd([1, 5, 0, 1, 0, 0, 0, 0]) == 0)
        connection.close()
        #expect(try HTTP.get(server.base + "/health").0 == 200)
    }
}
