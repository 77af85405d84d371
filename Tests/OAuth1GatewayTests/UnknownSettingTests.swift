import Foundation
@testable import OAuth1Gateway
import ProviderCore
import Testing

/// An unknown `OAUTH1_*` variable in the environment is warned about, not refused (client scripts and test suites share the
/// prefix); in the configuration file, which only oauth1-fcgi reads, it is still refused; `check-config` fails on either.
@Suite struct UnknownSettingTests {
    @Test func environmentTypoIsKeptAsAWarningNotARefusal() throws {
        let configuration = try AppConfiguration(ConfigurationSource(values: ["OAUTH1_TOKEN_LENGHT": "30", "OAUTH1_CLIENT_KEY": "x",
                                                                              "OAUTH1_TOKEN_LENGTH": "20"], file: nil))
        #expect(configuration.unknownKeys == ["OAUTH1_CLIENT_KEY", "OAUTH1_TOKEN_LENGHT"])
        #expect(configuration.provider.tokenLength == 20)
        #expect(try AppConfiguration(ConfigurationSource(values: ["OAUTH1_MAX_REQUESTS": "5"], file: nil)).unknownKeys.isEmpty,
                "what the supervisor sets for its workers is no typo")
    }

    @Test func fileTypoIsStillRefusedButTheEnvironmentOverridingItIsNot() throws {
        let file = ProviderServer.makeTemporaryDirectory("oauth1-unknown") + "/oauth1.conf"
        defer { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }
        try "OAUTH1_TOKEN_LENGHT=30\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try ConfigurationSource.merged(environment: ["OAUTH1_CONFIG": file])
        #expect(fromFile.fileKeys == ["OAUTH1_TOKEN_LENGHT"])
        let error = #expect(throws: ConfigurationError.self) { try AppConfiguration(fromFile) }
        #expect(error?.key == "OAUTH1_TOKEN_LENGHT" && error?.description.contains(file) == true, "\(error?.description ?? "accepted")")

        let overridden = try ConfigurationSource.merged(environment: ["OAUTH1_CONFIG": file, "OAUTH1_TOKEN_LENGHT": "31"])
        #expect(overridden.fileKeys.isEmpty)
        #expect(try AppConfiguration(overridden).unknownKeys == ["OAUTH1_TOKEN_LENGHT"])
    }

    @Test func cgiAnswersAndWarnsWhileCheckConfigFails() throws {
        let root = ProviderServer.makeTemporaryDirectory("oauth1-unknown")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var data = ProviderData(dataDirectory: root + "/data")
        data.environment["OAUTH1_CLIENT_SECRET"] = "a client script's own variable"

        var cgi = data.environment
        cgi.merge(["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "REQUEST_URI": "/oauth/health", "SCRIPT_NAME": "/oauth",
                   "PATH_INFO": "/health", "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1"]) { $1 }
        let answer = try ProcessRunner.run(ProcessRunner.binary, [], environment: cgi, timeout: 60)
        #expect(answer.status == 0 && answer.stdout.contains("\"status\": \"ok\""), "\(answer.stdout) \(answer.stderr)")
        #expect(answer.stderr.contains("warning: ignoring OAUTH1_CLIENT_SECRET in the environment: not a setting of oauth1-fcgi"),
                "\(answer.stderr)")
        #expect(!answer.stderr.contains("a client script's own variable"), "a value is never logged")

        let list = try data.cli(["user", "list"])
        #expect(list.status == 0)
        #expect(list.stderr.components(separatedBy: "warning: ignoring OAUTH1_CLIENT_SECRET").count == 2, "warned once: \(list.stderr)")

        let check = try data.cli(["check-config"])
        #expect(check.status != 0)
        #expect(check.stdout.contains("OAUTH1_CLIENT_SECRET (unknown: not a setting of oauth1-fcgi)"), "\(check.stdout)")
        #expect(check.stdout.contains("OAUTH1_TOKEN_LENGTH=42 (default)"))
        #expect(check.stderr.contains("OAUTH1_CLIENT_SECRET is not a setting of oauth1-fcgi"), "\(check.stderr)")
        let json = try data.cli(["check-config", "--json"])
        #expect(json.status != 0 && json.stdout.contains("\"unknown_keys\": [\"OAUTH1_CLIENT_SECRET\"]"), "\(json.stdout)")

        data.environment["OAUTH1_CLIENT_SECRET"] = nil
        #expect(try data.cli(["check-config"]).status == 0)
    }
}
