/// What `/status` and `/metrics` report, read from the shared counters at one moment (each counter on its own: a request
/// answered meanwhile may show in one and not yet in another).
struct StatusSnapshot: Sendable {
    /// When the supervisor started, and now, in seconds since the epoch.
    let startTime: Int64
    let now: Int64
    /// Worker processes alive, and how many of them serve a request.
    let workers: Int
    let busyWorkers: Int
    /// Requests answered, by route name and status class (1xx to 5xx), for routes with any.
    let requests: [(route: String, byClass: [UInt64])]
    /// Refusals by `oauth_problem`, every problem listed.
    let refusals: [(problem: String, count: UInt64)]
    let restarts: UInt64
    let recycles: UInt64
    let reloads: UInt64
    let reloadFailures: UInt64
    /// The store backend (`sqlite`, `postgresql`) and whether it answered a health check just now.
    let backend: String
    let storeAnswers: Bool

    var idleWorkers: Int { workers - busyWorkers }
    var uptime: Int64 { max(0, now - startTime) }
    /// Every request answered since the supervisor started.
    var requestsServed: UInt64 { requests.reduce(0) { $0 + $1.byClass.reduce(0, +) } }

    /// Reads the segment.
    init(_ segment: StatusSegment, now: Int64, backend: String, storeAnswers: Bool) {
        startTime = segment.startTime
        self.now = now
        var workers = 0
        var busy = 0
        for slot in 0..<segment.slotCount {
            switch segment.state(ofSlot: slot) {
            case .free: break
            case .busy: workers += 1; busy += 1
            case .idle, .starting: workers += 1
            }
        }
        self.workers = workers
        busyWorkers = busy
        requests = StatusRoute.names.indices.compactMap { index in
            let byClass = segment.requests(route: index)
            return byClass.contains { $0 > 0 } ? (StatusRoute.names[index], byClass) : nil
        }
        refusals = StatusRefusal.names.indices.map { (StatusRefusal.names[$0], segment.refusals($0)) }
        restarts = segment.restarts
        recycles = segment.recycles
        reloads = segment.reloads
        reloadFailures = segment.reloadFailures
        self.backend = backend
        self.storeAnswers = storeAnswers
    }

    /// `2xx` for index 1 of `byClass`.
    static func className(_ index: Int) -> String { "\(index + 1)xx" }
}
