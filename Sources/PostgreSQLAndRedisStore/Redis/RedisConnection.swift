#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHiredis
import ProviderStorage
import Synchronization

/// This process's one connection to Redis: opened on first use, dropped after any failure so that the next command
/// opens a fresh one, and never used by a process other than the one that opened it (a forked child opens its own).
final class RedisConnection: Sendable {
    /// How long a connect, a write or a read may take before the store counts as unavailable.
    static let timeout = timeval(tv_sec: 2, tv_usec: 0)

    /// Error codes that mean the server cannot answer now but may later, so the request should be retried.
    private static let unavailableCodes: Set<String> = [
        "LOADING", "BUSY", "READONLY", "MASTERDOWN", "NOAUTH", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS", "OOM",
    ]

    /// The open context and the process that opened it.
    private struct State {
        var context: UnsafeMutablePointer<redisContext>?
        var owner: pid_t = 0
    }

    /// Where the server is and how to log in.
    let endpoint: RedisEndpoint
    /// The URL with any password replaced, for errors.
    let location: String
    /// The client library the connection is made with.
    private let hiredis: LibHiredis
    private let state = Mutex(State())

    /// Prepares a connection; nothing is opened until the first command.
    init(endpoint: RedisEndpoint, location: String, hiredis: LibHiredis) {
        self.endpoint = endpoint
        self.location = location
        self.hiredis = hiredis
    }

    deinit {
        state.withLock { drop(&$0) }
    }

    /// Sends one command as separate binary-safe arguments and returns the reply; an error reply throws, as
    /// `StoreUnavailableError` when the server or the link is at fault and `RedisCommandError` otherwise.
    func command(_ arguments: [[UInt8]]) throws -> RedisReply {
        let name = arguments.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return try state.withLock { state throws -> RedisReply in
            let context = try open(&state)
            guard let reply = send(context, arguments) else {
                let message = Self.errorText(context) ?? "no reply"
                drop(&state)
                throw unavailable("\(name) failed: \(message)")
            }
            if case .error(let message) = reply {
                let code = String(message.prefix { $0 != " " })
                if Self.unavailableCodes.contains(code) {
                    drop(&state)
                    throw unavailable("\(name) answered \(Self.safeExcerpt(message))")
                }
                throw RedisCommandError("Redis at \(location): \(name) answered \(Self.safeExcerpt(message))")
            }
            return reply
        }
    }

    /// Closes this process's connection, if open; the next command opens a new one.
    func close() {
        state.withLock { drop(&$0) }
    }

    /// The open context for this process, connecting, logging in and selecting the database when there is none.
    private func open(_ state: inout State) throws -> UnsafeMutablePointer<redisContext> {
        let pid = getpid()
        if let context = state.context {
            if state.owner == pid { return context }
            // Inherited across fork: the socket is the parent's conversation, so let go of it without a word on it.
            drop(&state)
        }
        Self.ignoreBrokenPipes()
        let connected: UnsafeMutablePointer<redisContext>?
        switch endpoint.address {
        case .tcp(let host, let port):
            connected = hiredis.redisConnectWithTimeout(host, Int32(port), Self.timeout)
        case .unix(let path):
            connected = hiredis.redisConnectUnixWithTimeout(path, Self.timeout)
        }
        guard let context = connected else { throw unavailable("cannot connect: out of memory") }
        if let message = Self.errorText(context) {
            hiredis.redisFree(context)
            throw unavailable("cannot connect: \(message)")
        }
        guard hiredis.redisSetTimeout(context, Self.timeout) == REDIS_OK else {
            hiredis.redisFree(context)
            throw unavailable("cannot set the command timeout")
        }
        if let password = endpoint.password {
            try login(context, ["AUTH", password], what: "AUTH")
        }
        if endpoint.database != 0 {
            try login(context, ["SELECT", String(endpoint.database)], what: "SELECT \(endpoint.database)")
        }
        state.context = context
        state.owner = pid
        return context
    }

    /// Runs a command of the login sequence, which must answer OK; on anything else frees the context and throws, naming
    /// only the error code (an AUTH error must not echo what was sent).
    private func login(_ context: UnsafeMutablePointer<redisContext>, _ arguments: [String], what: String) throws {
        let reply = send(context, arguments.map { Array($0.utf8) })
        guard case .status("OK") = reply else {
            let detail: String
            switch reply {
            case .error(let message)?: detail = String(message.prefix { $0 != " " })
            case nil: detail = Self.errorText(context) ?? "no reply"
            default: detail = "an unexpected reply"
            }
            hiredis.redisFree(context)
            throw unavailable("\(what) was refused: \(detail)")
        }
    }

    /// The error for a server that cannot be used now.
    private func unavailable(_ message: String) -> StoreUnavailableError {
        StoreUnavailableError("Redis at \(location): \(message)")
    }

    /// Sends the arguments with their lengths (never formatted into a command string) and copies the reply; nil on an
    /// I/O or protocol error, which hiredis records in the context.
    private func send(_ context: UnsafeMutablePointer<redisContext>, _ arguments: [[UInt8]]) -> RedisReply? {
        var lengths = [Int]()
        lengths.reserveCapacity(arguments.count)
        var offsets = [Int]()
        offsets.reserveCapacity(arguments.count)
        var flat = [UInt8]()
        flat.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        for argument in arguments {
            offsets.append(flat.count)
            lengths.append(argument.count)
            flat.append(contentsOf: argument)
        }
        flat.append(0)  // so the buffer is never empty and every offset is inside it
        let raw: UnsafeMutableRawPointer? = flat.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            let start = UnsafeRawPointer(base)
            var pointers: [UnsafePointer<CChar>?] = offsets.map { (start + $0).assumingMemoryBound(to: CChar.self) }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    hiredis.redisCommandArgv(context, Int32(arguments.count), argv.baseAddress, argvlen.baseAddress)
                }
            }
        }
        guard let raw else { return nil }
        defer { hiredis.freeReplyObject(raw) }
        return RedisReply(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// The context's error text, or nil when it records no error.
    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String? {
        guard context.pointee.err != 0 else { return nil }
        let text = withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        if text.isEmpty { return "error \(context.pointee.err)" }
        // A read or write that ran into the socket timeout fails with EAGAIN.
        if context.pointee.err == REDIS_ERR_IO && text == String(cString: strerror(EAGAIN)) {
            return "no answer within \(timeout.tv_sec) s"
        }
        return text
    }

    /// Frees the context, if any.
    private func drop(_ state: inout State) {
        if let context = state.context { hiredis.redisFree(context) }
        state.context = nil
        state.owner = 0
    }

    /// An error reply cut before anything quoted (Redis quotes the arguments it echoes) and kept short.
    private static func safeExcerpt(_ message: String) -> String {
        let unquoted = message.prefix { $0 != "'" && $0 != "\"" }
        let trimmed = unquoted.count > 120 ? String(unquoted.prefix(120)) + "…" : String(unquoted)
        return trimmed.hasSuffix(" ") ? String(trimmed.dropLast()) : trimmed
    }

    /// Makes a write to a server that went away an error instead of a fatal SIGPIPE, unless the program chose a handler.
    private static func ignoreBrokenPipes() {
        var current = sigaction()
        guard sigaction(SIGPIPE, nil, &current) == 0 else { return }
        if current.__sigaction_handler.sa_handler == nil {
            signal(SIGPIPE, SIG_IGN)
        }
    }
}
