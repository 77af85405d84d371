/// Where a Redis server listens and which database to select, parsed from `OAUTH1_REDIS_URL`:
/// `redis://[:password@]host[:port][/db]` or `unix:///path/to/redis.sock[?db=N]` (a password as `?password=` there).
public struct RedisEndpoint: Sendable, Equatable {
    /// A TCP host and port, or a unix socket path.
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    /// Where the server listens.
    public let address: Address
    /// The password for AUTH, when any.
    public let password: String?
    /// The database number for SELECT (0 to 15 on a stock server).
    public let database: Int

    /// Parses a URL; the error says what to change, without repeating a password.
    public init(url: String) throws(RedisURLError) {
        if url.hasPrefix("redis://") {
            var rest = Substring(url.dropFirst("redis://".count))
            var database = 0
            if let slash = rest.firstIndex(of: "/") {
                let number = rest[rest.index(after: slash)...]
                guard number.isEmpty || (Int(number).map { (0...1_000_000).contains($0) } ?? false) else {
                    throw RedisURLError("the database after the / must be a number, as in redis://localhost:6379/0")
                }
                database = Int(number) ?? 0
                rest = rest[..<slash]
            }
            var password: String?
            if let at = rest.lastIndex(of: "@") {
                let userInfo = rest[..<at]
                // redis://:password@host, or redis://user:password@host (the user is ignored: AUTH with one argument).
                password = userInfo.firstIndex(of: ":").map { String(userInfo[userInfo.index(after: $0)...]) } ?? String(userInfo)
                rest = rest[rest.index(after: at)...]
            }
            var host = String(rest)
            var port = 6379
            if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
                guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else {
                    throw RedisURLError("the port must be a number from 1 to 65535, as in redis://localhost:6379")
                }
                port = number
                host = String(rest[..<colon])
            }
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw RedisURLError("it names no host, as in redis://localhost:6379") }
            address = .tcp(host: host, port: port)
            self.password = password.flatMap { $0.isEmpty ? nil : $0.removingPercentEscapes }
            self.database = database
        } else if url.hasPrefix("unix://") {
            var rest = Substring(url.dropFirst("unix://".count))
            var database = 0
            var password: String?
            if let question = rest.firstIndex(of: "?") {
                for pair in rest[rest.index(after: question)...].split(separator: "&") {
                    let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    let value = parts.count == 2 ? String(parts[1]) : ""
                    switch parts[0] {
                    case "db":
                        guard let number = Int(value), (0...1_000_000).contains(number) else {
                            throw RedisURLError("db= must be a number, as in unix:///run/redis/redis.sock?db=0")
                        }
                        database = number
                    case "password":
                        password = value.isEmpty ? nil : value.removingPercentEscapes
                    default:
                        throw RedisURLError("'\(parts[0])' is not a parameter it understands; use db= and password=")
                    }
                }
                rest = rest[..<question]
            }
            guard rest.hasPrefix("/") else {
                throw RedisURLError("a unix socket path must be absolute, as in unix:///run/redis/redis.sock")
            }
            address = .unix(path: String(rest))
            self.password = password
            self.database = database
        } else {
            throw RedisURLError("use redis://[:password@]host[:port][/db] or unix:///path/to/redis.sock[?db=N]")
        }
    }
}

/// An `OAUTH1_REDIS_URL` that cannot be used, with what to change.
public struct RedisURLError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    /// The text with `%XX` escapes decoded (a password may hold `@`, `:` or `/` as escapes); unchanged where invalid.
    var removingPercentEscapes: String {
        var bytes = [UInt8]()
        var input = Array(utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "%"), input.count >= 2,
               let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
