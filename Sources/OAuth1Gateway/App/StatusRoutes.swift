import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

/// `GET /status` (JSON) and `GET /metrics` (Prometheus text): the shared counters, the workers' states and whether the
/// store answers. Routed only when `OAUTH1_STATUS=true`; the shipped nginx snippet admits 127.0.0.1 alone.
struct StatusRoutes {
    let application: Application
    let segment: StatusSegment?

    /// The JSON status page.
    func status() -> HTTPResponse {
        guard let snapshot = snapshot() else { return unavailable() }
        return .json(StatusReport.json(snapshot))
    }

    /// The Prometheus exposition.
    func metrics() -> HTTPResponse {
        guard let snapshot = snapshot() else { return unavailable() }
        var response = HTTPResponse.text("", status: 200)
        response.headers.set("Content-Type", MetricsExposition.contentType)
        response.body = Array(MetricsExposition.text(snapshot).utf8)
        return response
    }

    private func snapshot() -> StatusSnapshot? {
        guard let segment else { return nil }
        var answers = false
        var backend: String
        switch application.configuration.storage.data {
        case .sqlite: backend = "sqlite"
        case .postgresql: backend = "postgresql"
        }
        do {
            let stores = try application.parts().stores
            backend = stores.backend.kind
            _ = try stores.checkHealth()
            answers = true
        } catch {
            Log.error("status: the store does not answer: \(error)")
        }
        return StatusSnapshot(segment, now: Int64(time(nil)), backend: backend, storeAnswers: answers)
    }

    /// Outside `oauth1-fcgi serve` (CGI, mod_fcgid, spawn-fcgi) there is no supervisor to hold the shared counters.
    private func unavailable() -> HTTPResponse {
        .text("Status and metrics are kept by the oauth1-fcgi serve supervisor; this process was not started by one.", status: 503)
    }
}
