#if canImport(Glibc)
import Glibc
#endif

/// The header names nearly every request carries, as constants: an `HTTP_` variable that spells one gets the constant
/// instead of a String built byte by byte (RFC 3875 section 4.1.18 names the variables).
enum CommonHeaderName {
    /// Each variable and the name `GatewayRequestDecoder.headerName(fromHTTPVariable:)` makes of it.
    static let table: [(variable: StaticString, name: String)] = [
        ("HTTP_HOST", "Host"),
        ("HTTP_AUTHORIZATION", "Authorization"),
        ("HTTP_ACCEPT", "Accept"),
        ("HTTP_ACCEPT_ENCODING", "Accept-Encoding"),
        ("HTTP_USER_AGENT", "User-Agent"),
        ("HTTP_CONNECTION", "Connection"),
        ("HTTP_COOKIE", "Cookie"),
        ("HTTP_CONTENT_TYPE", "Content-Type"),
        ("HTTP_CONTENT_LENGTH", "Content-Length"),
    ]

    /// The constant for a variable with exactly these bytes, else nil.
    static func name(forVariable variable: UnsafeRawBufferPointer) -> String? {
        guard let start = variable.baseAddress else { return nil }
        for entry in table where entry.variable.utf8CodeUnitCount == variable.count
            && memcmp(start, entry.variable.utf8Start, variable.count) == 0 {
            return entry.name
        }
        return nil
    }
}
