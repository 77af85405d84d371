import CHiredis

/// One reply from Redis, copied out of hiredis's reply object so that the object can be freed at once.
enum RedisReply: Sendable, Equatable {
    /// A bulk string, binary-safe.
    case string([UInt8])
    /// A status line such as `OK`.
    case status(String)
    /// An error line such as `WRONGTYPE Operation against a key holding the wrong kind of value`.
    case error(String)
    /// An integer.
    case integer(Int64)
    /// The null reply (a missing key, or `SET NX` that did not set).
    case null
    /// A multi-bulk reply.
    case array([RedisReply])

    /// Copies a hiredis reply (it stays owned by the caller).
    init(_ reply: UnsafePointer<redisReply>) {
        let raw = reply.pointee
        switch raw.type {
        case REDIS_REPLY_STRING:
            self = .string(Self.bytes(raw.str, raw.len))
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(raw.str, raw.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: Self.bytes(raw.str, raw.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(raw.integer))
        case REDIS_REPLY_ARRAY:
            var elements = [RedisReply]()
            elements.reserveCapacity(raw.elements)
            for index in 0..<raw.elements {
                if let element = raw.element?[index] {
                    elements.append(RedisReply(element))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        default:
            self = .null
        }
    }

    /// The bytes of a reply's string, empty when there is none.
    private static func bytes(_ start: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let start, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// The reply's text when it is a bulk string, nil otherwise.
    var text: String? {
        if case .string(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }
}
