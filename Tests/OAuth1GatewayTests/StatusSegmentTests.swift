import Glibc
import ProviderCore
import Testing
@testable import OAuth1Gateway

/// The shared status counters without a server: what one mapping counts, another mapping of the same descriptor (a
/// worker's) reads; refusals are recognised by the `oauth_problem` their body starts with; routes map to fixed counters.
@Suite struct StatusSegmentTests {
    @Test func countsAreSharedThroughTheDescriptor() throws {
        let supervisor = try #require(StatusSegment.create(slots: 3, startTime: 1_700_000_000))
        let worker = try #require(StatusSegment.attach(descriptor: supervisor.descriptor))
        #expect(worker.slotCount == 3)
        #expect(worker.startTime == 1_700_000_000)

        worker.countRequest(route: StatusRoute.index(of: "/user"), status: 200, refusal: nil)
        worker.countRequest(route: StatusRoute.index(of: "/user"), status: 401, refusal: 2)
        supervisor.countRequest(route: StatusRoute.index(of: "/no/such/route"), status: 404, refusal: nil)
        supervisor.countRestart()
        supervisor.reserve(slot: 1)
        supervisor.setPID(4242, slot: 1)
        worker.set(slot: 1, .busy)

        let snapshot = StatusSnapshot(supervisor, now: 1_700_000_010, backend: "sqlite", storeAnswers: true)
        #expect(snapshot.requests.map(\.route) == ["/user", "other"])
        #expect(snapshot.requests[0].byClass == [0, 1, 0, 1, 0])
        #expect(snapshot.refusals[2].count == 1 && snapshot.refusals.filter { $0.count > 0 }.count == 1)
        #expect(snapshot.requestsServed == 3)
        #expect(snapshot.workers == 1 && snapshot.busyWorkers == 1)
        #expect(snapshot.uptime == 10)
        #expect(worker.restarts == 1)
        #expect(worker.pid(ofSlot: 1) == 4242)

        supervisor.release(slot: 1)
        #expect(StatusSnapshot(worker, now: 0, backend: "sqlite", storeAnswers: true).workers == 0)
    }

    @Test func aDescriptorThatIsNoSegmentIsRefused() throws {
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        defer { close(descriptors[0]); close(descriptors[1]) }
        #expect(StatusSegment.attach(descriptor: descriptors[0]) == nil)
        #expect(StatusSegment.attach(descriptor: -1) == nil)
    }

    @Test func refusalsAreReadFromTheProblemThatStartsTheBody() {
        let nonce = OAuthError(.nonceUsed, "again").response(realm: "r")
        #expect(StatusRefusal.index(of: nonce).map { StatusRefusal.names[$0] } == "nonce_used")
        let limited = HTTPResponse(status: 429, body: Array("oauth_problem=rate_limited&oauth_problem_advice=wait".utf8))
        #expect(StatusRefusal.index(of: limited).map { StatusRefusal.names[$0] } == "rate_limited")
        let odd = HTTPResponse(status: 400, body: Array("oauth_problem=made_up".utf8))
        #expect(StatusRefusal.index(of: odd).map { StatusRefusal.names[$0] } == "other")
        #expect(StatusRefusal.index(of: HTTPResponse(status: 404, body: Array("There is no endpoint".utf8))) == nil)
        #expect(StatusRefusal.index(of: HTTPResponse(status: 200, body: Array("oauth_problem=nonce_used".utf8))) == nil)
    }

    @Test func routesMapToTheirOwnCountersAndUnknownPathsToOther() {
        for (index, name) in StatusRoute.names.enumerated() where index < StatusRoute.authorizer {
            #expect(StatusRoute.index(of: name) == index, "\(name)")
        }
        #expect(StatusRoute.index(of: "authorizer") == StatusRoute.other, "a path cannot pose as the authorizer role")
        #expect(StatusRoute.index(of: "/users") == StatusRoute.other)
    }

    @Test func metricsLabelsAreEscaped() {
        #expect(MetricsExposition.label("a\"b\\c\nd") == "\"a\\\"b\\\\c\\nd\"")
    }
}
