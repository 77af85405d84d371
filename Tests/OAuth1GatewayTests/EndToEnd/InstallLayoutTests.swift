import Foundation
import Testing
@testable import OAuth1Gateway

/// `make install` with PREFIX and DESTDIR, the systemd units it installs (checked by systemd-analyze), and the man page
/// and configuration file, which must describe every setting the provider has.
@Suite(.serialized) struct InstallLayoutTests {
    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func makeInstallHonoursPrefixAndDestdirAndKeepsAnEditedConfiguration() throws {
        let stage = ProviderServer.makeTemporaryDirectory("oauth1-install")
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let arguments = ["-C", ProcessRunner.repository.path, "--no-print-directory", "install",
                         "DESTDIR=" + stage, "PREFIX=/opt/oauth1", "BINARY=" + ProcessRunner.binary]
        let first = try ProcessRunner.run("/usr/bin/make", arguments)
        try #require(first.status == 0, "\(first.stdout)\(first.stderr)")

        let prefix = stage + "/opt/oauth1"
        for file in ["bin/oauth1-fcgi", "etc/oauth1-fcgi/oauth1-fcgi.conf", "etc/oauth1-fcgi/templates",
                     "lib/systemd/system/oauth1-fcgi.socket", "lib/systemd/system/oauth1-fcgi.service",
                     "share/man/man8/oauth1-fcgi.8.gz", "share/oauth1-fcgi/nginx/oauth1-fcgi.conf",
                     "share/oauth1-fcgi/apache/shared-hosting.htaccess", "share/oauth1-fcgi/templates/authorize.mustache",
                     "share/doc/oauth1-fcgi/operations.md"] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + file), "\(file) is not installed")
        }
        let installedBinary = try ProcessRunner.run(prefix + "/bin/oauth1-fcgi", ["--version"])
        let builtBinary = try ProcessRunner.run(ProcessRunner.binary, ["--version"])
        #expect(installedBinary.status == 0 && installedBinary.stdout == builtBinary.stdout)

        // The unit names the installed paths without the staging directory.
        let service = try Self.read(prefix + "/lib/systemd/system/oauth1-fcgi.service")
        #expect(service.contains("\nExecStart=/opt/oauth1/bin/oauth1-fcgi serve $SERVE_ARGS\n"))
        #expect(service.contains("\nEnvironmentFile=-/opt/oauth1/etc/oauth1-fcgi/oauth1-fcgi.conf\n"))
        #expect(!service.contains("@") && !service.contains(stage))

        // An administrator's edits survive the next install.
        let configuration = prefix + "/etc/oauth1-fcgi/oauth1-fcgi.conf"
        try (Self.read(configuration) + "OAUTH1_SITE_NAME=Edited\n").write(toFile: configuration, atomically: true, encoding: .utf8)
        let second = try ProcessRunner.run("/usr/bin/make", arguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Self.read(configuration).hasSuffix("OAUTH1_SITE_NAME=Edited\n"))
        #expect(second.stdout.contains("kept \(configuration)"))
    }

    /// systemd-analyze checks the units as installed (ExecStart must name an executable, so the install is not staged).
    @Test func installedUnitsPassSystemdAnalyzeVerify() throws {
        let prefix = ProviderServer.makeTemporaryDirectory("oauth1-units")
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        var environment = ProcessInfo.processInfo.environment
        environment["PREFIX"] = prefix
        environment["DESTDIR"] = nil
        let installed = try ProcessRunner.run(ProcessRunner.repository.appendingPathComponent("packaging/install.sh").path,
                                              [ProcessRunner.binary], environment: environment)
        try #require(installed.status == 0, "\(installed.stderr)")
        let units = prefix + "/lib/systemd/system/"
        let verified = try ProcessRunner.run("/usr/bin/systemd-analyze", ["verify", "--man=no", units + "oauth1-fcgi.socket", units + "oauth1-fcgi.service"])
        #expect(verified.status == 0 && verified.stderr.isEmpty, "\(verified.stdout)\(verified.stderr)")
        let socket = try Self.read(units + "oauth1-fcgi.socket")
        #expect(socket.contains("\nListenStream=/run/oauth1-fcgi/oauth1-fcgi.sock\n"))
        let nginx = try Self.read(prefix + "/share/oauth1-fcgi/nginx/oauth1-fcgi.conf")
        #expect(nginx.contains("fastcgi_pass unix:/run/oauth1-fcgi/oauth1-fcgi.sock;"), "nginx's snippet points at the socket unit's path")
    }

    @Test func manPageRendersWithoutWarningsAndDescribesEverySetting() throws {
        let page = ProcessRunner.repository.appendingPathComponent("packaging/oauth1-fcgi.8").path
        let checked = try ProcessRunner.run("/usr/bin/groff", ["-man", "-Tutf8", "-ww", "-z", page])
        #expect(checked.status == 0 && checked.stderr.isEmpty, "\(checked.stderr)")
        let rendered = try ProcessRunner.run("/usr/bin/groff", ["-man", "-Tascii", "-P-cbou", page]).stdout
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS"] {
            #expect(rendered.contains("\n" + section + "\n"), "no section \(section)")
        }
        let source = try Self.read(page)
        for setting in AppConfiguration.settings {
            #expect(source.contains("\n.B \(setting.key)\n"), "the man page does not describe \(setting.key)")
        }
        let version = try ProcessRunner.run(ProcessRunner.binary, ["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(source.contains(".TH OAUTH1-FCGI 8 ") && source.contains("\"oauth1-fcgi \(version)\""), "the page's version is not \(version)")
    }

    /// Every setting is in the shipped configuration with its default, commented out, and the file as it would be with
    /// every line uncommented is a valid configuration.
    @Test func configurationFileListsEverySettingWithItsDefault() throws {
        let text = try Self.read(ProcessRunner.repository.appendingPathComponent("packaging/oauth1-fcgi.conf").path)
        let lines = text.split(separator: "\n").map(String.init)
        for setting in AppConfiguration.settings where setting.key != "OAUTH1_CONFIG" {
            if setting.key == "OAUTH1_DATA_DIR" {
                #expect(lines.contains("OAUTH1_DATA_DIR=/var/lib/oauth1-fcgi"))
            } else {
                #expect(lines.contains("#\(setting.key)=\(setting.defaultValue)"), "no line #\(setting.key)=\(setting.defaultValue)")
            }
        }
        let uncommented = lines.map { $0.hasPrefix("#OAUTH1_") || $0.hasPrefix("#SERVE_ARGS=") ? String($0.dropFirst()) : $0 }.joined(separator: "\n")
        let values = try ConfigurationSource.parse(uncommented, name: "oauth1-fcgi.conf")
        #expect(values.keys.filter { $0.hasPrefix("OAUTH1_") }.count == AppConfiguration.settings.count - 1)
        _ = try AppConfiguration(ConfigurationSource(values: values, file: nil))
    }
}
