/// The current time in whole seconds since the Unix epoch, injected so every time rule is testable.
public protocol EpochClock: Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    func now() -> Int64
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's real-time clock.
public struct SystemEpochClock: EpochClock {
    /// Creates the system clock.
    public init() {}

    /// The real-time clock's whole seconds.
    public func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }
}
