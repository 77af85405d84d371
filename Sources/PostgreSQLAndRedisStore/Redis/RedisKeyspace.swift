import ProviderCore

/// What the Redis stores share: the connection, the clock expiries are counted from, and the prefix of every key.
struct RedisKeyspace: Sendable {
    let connection: RedisConnection
    let clock: any EpochClock
    /// Namespaces every key (tests give each test its own).
    let prefix: String

    /// A key of this site: the prefix, the kind of record (`nonce`, `temporary`) and its name.
    func key(_ kind: String, _ name: String) -> [UInt8] { Array((prefix + kind + ":" + name).utf8) }

    /// Seconds from now until `expiresAt`, as a Redis expiry (`redisTimeToLive`).
    func timeToLive(until expiresAt: Int64) -> Int64 { redisTimeToLive(expiresAt: expiresAt, now: clock.now()) }

    /// An error that names the server, then says what went wrong.
    func error(_ detail: String) -> RedisCommandError { RedisCommandError("Redis at \(connection.location): \(detail)") }
}
