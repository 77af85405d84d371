import CFastCGI
import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

/// The FastCGI request loop of one worker process: the only code that talks to libfcgi. It accepts on a listening socket
/// (fd 0 when started by a web server, spawn-fcgi or the supervisor), answers one request at a time, and leaves after
/// `maxRequests` requests or on SIGTERM once the request in flight is answered.
public enum FastCGIWorker {
    /// Whether this process was started as a FastCGI application (its standard input is a listening socket), not as CGI.
    public static var isStartedByFastCGI: Bool { FCGX_IsCGI() == 0 }

    /// Serves FastCGI requests on `listenDescriptor` until SIGTERM, SIGHUP or `maxRequests` (0: no limit); returns the exit
    /// status. Under the supervisor, `slot` is this worker's slot in the shared status segment: idle once it waits for
    /// requests (the supervisor's sign that it is ready), busy while it serves one.
    public static func run(application: Application, decoder: GatewayRequestDecoder, listenDescriptor: Int32 = 0, maxRequests: Int,
                           slot: (segment: StatusSegment, index: Int)? = nil) -> Int32 {
        guard FCGX_Init() == 0 else {
            Log.error("libfcgi could not initialise")
            return 1
        }
        Signals.installTermination(forFastCGI: true)
        var request = FCGX_Request()
        guard FCGX_InitRequest(&request, listenDescriptor, FCGI_FAIL_ACCEPT_ON_INTR) == 0 else {
            Log.error("libfcgi could not set up a request on fd \(listenDescriptor)")
            return 1
        }
        var served = 0
        var environment = GatewayEnvironment()
        var output = [UInt8]()
        let listener = FastCGIListener(descriptor: listenDescriptor)
        let marker = slot.map { $0.segment.marker(slot: $0.index) }
        marker?.mark(.idle)
        while !Signals.stopRequested {
            // A connection nginx keeps open (fastcgi_keep_conn) carries the next request; otherwise take a new one.
            // Where libfcgi itself waits (on a kept connection, or accepting when there is no listener of ours), a
            // SIGTERM ends the worker at once, as before: it cannot tell whether a request has begun to arrive.
            let waitsInLibfcgi = listener == nil || request.ipcFd >= 0
            if request.ipcFd < 0, let listener {
                guard let connection = listener.accept() else { break }
                request.ipcFd = connection
                // FCGX_Accept_r first finishes the previous request and would close a connection it was not told to
                // keep; it then sets keepConnection from the new request's FCGI_KEEP_CONN flag.
                request.keepConnection = 1
            }
            if waitsInLibfcgi { awaitingRequest = 2 }
            let accepted = FCGX_Accept_r(&request)
            awaitingRequest = 0
            guard accepted >= 0 else { break }
            marker?.mark(.busy)
            serve(&request, environment: &environment, output: &output, application: application, decoder: decoder)
            // libfcgi closes a connection gracefully (shutdown, wait for nginx to close, read what is left): three
            // system calls, needed only if unread input could make the close reset the connection. Once a responder's
            // input has ended there is none, and a plain close is as safe. (An authorizer gets no input stream at all
            // from Apache's mod_authnz_fcgi, so waiting for its end would hang.)
            if request.keepConnection == 0, request.role == responderRole, inputHasEnded(request.in) { request.detached = 1 }
            FCGX_Finish_r(&request)
            marker?.mark(.idle)
            served += 1
            application.afterResponse()
            if maxRequests > 0, served >= maxRequests { break }
        }
        return 0
    }

    /// Answers one request; `environment` and `output` are the worker's own, reloaded and rewritten for each request.
    private static func serve(_ request: inout FCGX_Request, environment: inout GatewayEnvironment, output: inout [UInt8],
                              application: Application, decoder: GatewayRequestDecoder) {
        let input = request.in
        environment.load(cStrings: request.envp)
        GatewayExchange.respond(environment: environment, application: application, decoder: decoder, readBody: { length in
            readBody(input, length: length)
        }, into: &output)
        output.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                _ = FCGX_PutStr(pointer, Int32(buffer.count), request.out)
            }
        }
    }

    /// FCGI_RESPONDER, the role of an ordinary request (FastCGI specification, section 6.2).
    private static let responderRole: Int32 = 1

    /// Whether the request's input (FCGI_STDIN) has ended with nothing left unread: reads its end, which libfcgi has
    /// usually buffered already; a byte still there means the body was not read to its end.
    private static func inputHasEnded(_ stream: UnsafeMutablePointer<FCGX_Stream>?) -> Bool {
        guard let stream else { return false }
        var byte: CChar = 0
        return FCGX_GetStr(&byte, 1, stream) == 0 && FCGX_HasSeenEOF(stream) != 0 && FCGX_GetError(stream) == 0
    }

    private static func readBody(_ stream: UnsafeMutablePointer<FCGX_Stream>?, length: Int) -> [UInt8] {
        guard length > 0 else { return [] }
        var body = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let count = body.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: length) { pointer in
                    FCGX_GetStr(pointer + filled, Int32(min(length - filled, 65_536)), stream)
                }
            }
            if count <= 0 { break }
            filled += Int(count)
        }
        body.removeSubrange(filled...)  // in place: no second copy of a complete body
        return body
    }
}

/// Plain CGI: one request from the environment and standard input, answered on standard output.
public enum CGIRunner {
    /// Answers the one CGI request in the environment and on standard input; returns the exit status.
    public static func run(application: Application, decoder: GatewayRequestDecoder) -> Int32 {
        // The dictionary, not the raw `environ`: it splits each entry at its first `=` Character, which CGI always did.
        let environment = GatewayEnvironment(ConfigurationSource.processEnvironment())
        let bytes = GatewayExchange.respond(environment: environment, application: application, decoder: decoder) { length in
            var body = [UInt8](repeating: 0, count: length)
            var filled = 0
            while filled < length {
                let count = body.withUnsafeMutableBytes { read(0, $0.baseAddress! + filled, length - filled) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                filled += count
            }
            body.removeSubrange(filled...)  // in place: no second copy of a complete body
            return body
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(1, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { break }
            offset += written
        }
        application.afterResponse()
        return 0
    }
}
