/// Redis answered a command with an error that retrying will not cure (such as `WRONGTYPE` or `NOSCRIPT`), or with a
/// reply this store does not expect; the text names the command, never its arguments.
public struct RedisCommandError: Error, Sendable, CustomStringConvertible {
    /// Which server, which command, and what it answered.
    public let description: String

    init(_ description: String) { self.description = description }
}
