/// A connection URL as it may appear in logs, `/health` and error messages: any password replaced by `***`.
/// `postgresql://app:s3cret@db/oauth1` becomes `postgresql://app:***@db/oauth1`; a `password=` query parameter too.
public func redactedURL(_ url: String) -> String {
    var text = url
    if let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") {
        let rest = text[text.index(colon, offsetBy: 3)...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
            text.replaceSubrange(rest.index(after: colon)..<at, with: "***")
        }
    }
    guard let query = text.firstIndex(of: "?") else { return text }
    let pairs = text[text.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { pair in
        pair.lowercased().hasPrefix("password=") ? "password=***" : String(pair)
    }
    return String(text[...query]) + pairs.joined(separator: "&")
}
