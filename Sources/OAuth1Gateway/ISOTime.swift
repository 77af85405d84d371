#if canImport(Glibc)
import Glibc
#endif

/// Formats a Unix time as an ISO 8601 UTC timestamp, such as `2026-11-29T14:05:00Z`.
public func isoTime(_ seconds: Int64) -> String {
    var value = time_t(seconds)
    var parts = tm()
    gmtime_r(&value, &parts)
    func pad(_ number: Int32) -> String { number < 10 ? "0\(number)" : "\(number)" }
    return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
}
