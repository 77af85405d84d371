/// The routes `/status` and `/metrics` count requests by: a fixed list, so the shared counters have a fixed size; a path
/// that is no route, and a request that could not be read, count as `other`.
enum StatusRoute {
    /// Every counted route, in the order of the shared counters.
    static let names: [String] = [
        "/user", "/auth", "/whoami", "/initiate", "/token", "/authorize", "/login", "/logout", "/signup", "/", "/health",
        "/status", "/metrics", "/developer", "/developer/new", "/developer/client", "/developer/client/rotate",
        "/developer/client/toggle", "/developer/client/delete", "/account/applications", "/account/applications/revoke",
        "/account/password", "/account/sessions/revoke", "authorizer", "other",
    ]

    /// Apache's mod_authnz_fcgi checks (FCGI_ROLE=AUTHORIZER), whatever path they guard.
    static let authorizer = names.count - 2
    /// Anything else.
    static let other = names.count - 1

    /// The counter index of a route; the protected resources come first, as they are the most frequent.
    static func index(of route: String) -> Int {
        switch route {
        case "/user": return 0
        case "/auth": return 1
        case "/whoami": return 2
        case "/initiate": return 3
        case "/token": return 4
        default: return names.firstIndex(of: route).map { $0 < authorizer ? $0 : other } ?? other
        }
    }
}
