/// `/metrics`: the snapshot in Prometheus's text exposition format (version 0.0.4), every name starting `oauth1_`:
/// counters for requests, refusals and the supervisor's events, gauges for workers, uptime and the store.
enum MetricsExposition {
    /// The content type Prometheus expects for this format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition text.
    static func text(_ snapshot: StatusSnapshot) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += name + (sample.labels.isEmpty ? "" : "{\(sample.labels)}") + " \(sample.value)\n" }
        }
        family("oauth1_start_time_seconds", "gauge", "When the supervisor started, in seconds since the epoch.",
               [("", String(snapshot.startTime))])
        family("oauth1_uptime_seconds", "gauge", "Seconds since the supervisor started.", [("", String(snapshot.uptime))])
        family("oauth1_workers", "gauge", "Worker processes, by state.",
               [("state=\"busy\"", String(snapshot.busyWorkers)), ("state=\"idle\"", String(snapshot.idleWorkers))])
        family("oauth1_requests_total", "counter", "Requests answered, by route and status class.",
               snapshot.requests.flatMap { entry in
                   entry.byClass.indices.filter { entry.byClass[$0] > 0 }.map {
                       ("route=\(label(entry.route)),status=\"\(StatusSnapshot.className($0))\"", String(entry.byClass[$0]))
                   }
               })
        family("oauth1_refusals_total", "counter", "OAuth requests refused, by oauth_problem.",
               snapshot.refusals.map { ("oauth_problem=\(label($0.problem))", String($0.count)) })
        family("oauth1_worker_restarts_total", "counter", "Workers replaced after they died.", [("", String(snapshot.restarts))])
        family("oauth1_worker_recycles_total", "counter", "Workers replaced after their request quota.", [("", String(snapshot.recycles))])
        family("oauth1_reloads_total", "counter", "Configuration reloads carried out (SIGHUP).", [("", String(snapshot.reloads))])
        family("oauth1_reload_failures_total", "counter", "Configuration reloads refused for an invalid configuration.",
               [("", String(snapshot.reloadFailures))])
        family("oauth1_store_up", "gauge", "Whether the store answered a health check during this scrape (1) or not (0).",
               [("backend=\(label(snapshot.backend))", snapshot.storeAnswers ? "1" : "0")])
        return out
    }

    /// A label value in quotes, with `\`, `"` and newlines escaped as the format requires.
    static func label(_ value: String) -> String {
        var escaped = "\""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped + "\""
    }
}
