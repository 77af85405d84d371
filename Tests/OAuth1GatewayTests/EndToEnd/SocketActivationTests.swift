import Foundation
import Testing

/// `serve` under socket activation, as oauth1-fcgi.service runs it: systemd-socket-activate binds the unix socket, starts
/// `serve` without --listen on the first connection and passes the socket as fd 3; nginx talks to that socket.
@Suite(.serialized) struct SocketActivationTests {
    @Test func serveTakesThePassedSocketAndAnswersASignedRequestThroughNginx() throws {
        let server = try ProviderServer(workers: 2, socketActivated: true)
        defer { server.stop() }
        try server.addUser("alice", password: "alice-password")
        let client = try server.addClient(name: "Printer")
        let token = try ClientScripts.threeLegged(base: server.base, client: client)
        let signed = try ClientScripts.signed(server.base + "/user", client: client, token: token, ["--repeat", "2"])
        #expect(signed.statuses == [200, 401], "the signed request is answered once; its replay is refused: \(signed.bodies)")
        #expect(signed.bodies.first?.contains("\"username\": \"alice\"") == true, "\(signed.bodies)")
        #expect(server.supervisorLog.contains("listening on unix:\(server.socket) (passed by the service manager) with 2 workers"),
                "\(server.supervisorLog)")

        // Every worker serves on the very socket that was passed, and none sees the variables that passed it.
        let supervisor = try #require(server.supervisor).processIdentifier
        let passed = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(supervisor)/fd/3")
        #expect(passed.hasPrefix("socket:"))
        let workers = server.workerPIDs()
        #expect(workers.count == 2)
        for pid in workers {
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/0") == passed)
            let environment = try String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8).split(separator: "\0")
            #expect(environment.contains { $0.hasPrefix("OAUTH1_DATA_DIR=") })
            #expect(!environment.contains { $0.hasPrefix("LISTEN_") }, "worker \(pid) inherited \(environment.filter { $0.hasPrefix("LISTEN_") })")
        }

        // The socket belongs to the service manager: serve stops without removing it.
        server.stopSupervisor()
        #expect(server.supervisorLog.contains("supervisor stopped"))
        #expect(FileManager.default.fileExists(atPath: server.socket))
    }

    /// Without --listen, a socket passed to another process (LISTEN_PID not ours) is not taken, and serve says what to do.
    @Test func serveWithoutListenOrAPassedSocketRefusesToStart() throws {
        let root = ProviderServer.makeTemporaryDirectory("oauth1-activation")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var data = ProviderData(dataDirectory: root + "/data")
        data.environment["LISTEN_PID"] = "1"
        data.environment["LISTEN_FDS"] = "1"
        let result = try data.cli(["serve", "--workers", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("pass --listen unix:PATH or HOST:PORT, or start serve under systemd socket activation"), "\(result.stderr)")
    }
}
