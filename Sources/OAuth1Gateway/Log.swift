#if canImport(Glibc)
import Glibc
#endif

/// How much the provider logs.
public enum LogLevel: String, Sendable, Comparable {
    /// Failures only; info adds one line per event worth an operator's eye; debug adds refused signatures' base strings.
    case error, info, debug

    private var rank: Int { self == .error ? 0 : self == .info ? 1 : 2 }
    /// Whether `lhs` logs less than `rhs`.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }
}

/// One line per event on standard error (the web server's or the supervisor's log). Callers never pass secrets.
public enum Log {
    /// The most detailed level written; set once at start-up, before any request.
    nonisolated(unsafe) public static var level: LogLevel = .info

    /// Logs a failure.
    public static func error(_ message: @autoclosure () -> String) { write(.error, message()) }
    /// Logs something the operator should fix that does not stop the provider; written at every level.
    public static func warning(_ message: @autoclosure () -> String) { write(.error, message(), label: "warning") }
    /// Logs an event.
    public static func info(_ message: @autoclosure () -> String) { write(.info, message()) }
    /// Logs a detail for debugging.
    public static func debug(_ message: @autoclosure () -> String) { write(.debug, message()) }

    private static func write(_ messageLevel: LogLevel, _ message: String, label: String? = nil) {
        guard messageLevel <= level else { return }
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let stamp = "\(Int(parts.tm_year) + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
        let clean = message.map { $0 == "\n" || $0 == "\r" ? " " : String($0) }.joined()
        var line = "\(stamp) oauth1-fcgi[\(getpid())] \(label ?? messageLevel.rawValue): \(clean)\n"
        line.withUTF8 { buffer in _ = Glibc.write(2, buffer.baseAddress, buffer.count) }
    }

    private static func pad(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
