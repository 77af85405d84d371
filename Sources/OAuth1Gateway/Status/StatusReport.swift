/// `/status`: the snapshot as one JSON object, named after php-fpm's status page (`start_time`, `start_since`,
/// `idle_workers`, `active_workers`, `total_workers`, `accepted_requests`) where it has a name for the figure.
enum StatusReport {
    /// The JSON text.
    static func json(_ snapshot: StatusSnapshot) -> String {
        let byRoute = snapshot.requests.map { entry in
            (entry.route, JSON.object(entry.byClass.indices.filter { entry.byClass[$0] > 0 }
                .map { (StatusSnapshot.className($0), String(entry.byClass[$0])) }))
        }
        return JSON.object([
            ("process_manager", JSON.string("serve")),
            ("start_time", String(snapshot.startTime)),
            ("start_since", String(snapshot.uptime)),
            ("total_workers", String(snapshot.workers)),
            ("active_workers", String(snapshot.busyWorkers)),
            ("idle_workers", String(snapshot.idleWorkers)),
            ("accepted_requests", String(snapshot.requestsServed)),
            ("requests_by_route", JSON.object(byRoute)),
            ("refusals_by_problem", JSON.object(snapshot.refusals.map { ($0.problem, String($0.count)) })),
            ("worker_restarts", String(snapshot.restarts)),
            ("worker_recycles", String(snapshot.recycles)),
            ("reloads", String(snapshot.reloads)),
            ("reload_failures", String(snapshot.reloadFailures)),
            ("store", JSON.object([("backend", JSON.string(snapshot.backend)), ("answers", snapshot.storeAnswers ? "true" : "false")])),
        ])
    }
}
