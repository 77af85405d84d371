import Foundation
import Testing

/// packaging/build-deb.sh, which `make deb` runs on the release binary, run here on the binary under test: the package's
/// control fields and files, then the package installed, configured, installed again and purged in a scratch root.
@Suite(.serialized) struct DebianPackageTests {
    static let builder = ProcessRunner.repository.appendingPathComponent("packaging/build-deb.sh").path

    /// The binary's `--version`.
    static func version(of binary: String) throws -> String {
        let result = try ProcessRunner.run(binary, ["--version"])
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A field of the package's control file, through dpkg-deb.
    static func field(_ name: String, of package: String) throws -> String {
        try ProcessRunner.run("/usr/bin/dpkg-deb", ["--field", package, name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The Debian packages the dlopen'ed client libraries' error messages tell the administrator to install.
    static func packagesNamedBySources() throws -> Set<String> {
        var names = Set<String>()
        for file in ["PostgreSQL/LibPQ.swift", "Redis/LibHiredis.swift"] {
            let path = ProcessRunner.repository.appendingPathComponent("Sources/PostgreSQLAndRedisStore/" + file).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for match in text.matches(of: /package: "([a-z0-9.+-]+)"/) { names.insert(String(match.1)) }
        }
        return names
    }

    @Test func packageFieldsFilesAndMaintainerScripts() throws {
        let output = ProviderServer.makeTemporaryDirectory("oauth1-deb")
        defer { try? FileManager.default.removeItem(atPath: output) }

        // The debug binary links the toolchain's Swift runtime, which no Debian package provides: refused unless allowed.
        let refused = try ProcessRunner.run(Self.builder, [ProcessRunner.binary, output])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("links libraries no Debian package provides") && refused.stderr.contains("libswiftCore.so"), "\(refused.stderr)")

        let built = try ProcessRunner.run(Self.builder, ["--allow-unpackaged-libraries", ProcessRunner.binary, output])
        try #require(built.status == 0, "\(built.stderr)")
        let version = try Self.version(of: ProcessRunner.binary)
        let architecture = try Self.architecture()
        let package = output + "/oauth1-fcgi_\(version)_\(architecture).deb"
        #expect(built.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == package)

        // The shipped binary is stripped whole; its symbols are in the .debug file beside the package, which it names.
        let extracted = output + "/extracted"
        try #require(try ProcessRunner.run("/usr/bin/dpkg-deb", ["-x", package, extracted]).status == 0)
        let shippedSections = try ProcessRunner.run("/usr/bin/readelf", ["-S", "-W", extracted + "/usr/bin/oauth1-fcgi"]).stdout
        #expect(!shippedSections.contains(".symtab") && !shippedSections.contains(".debug_info") && shippedSections.contains(".gnu_debuglink"))
        let debugFile = output + "/oauth1-fcgi_\(version)_\(architecture).debug"
        let debugSections = try ProcessRunner.run("/usr/bin/readelf", ["-S", "-W", debugFile]).stdout
        #expect(debugSections.contains(".symtab"), "the symbols are kept apart: \(debugFile)")
        let link = try ProcessRunner.run("/usr/bin/readelf", ["--string-dump=.gnu_debuglink", extracted + "/usr/bin/oauth1-fcgi"]).stdout
        #expect(link.contains("oauth1-fcgi_\(version)_\(architecture).debug"), "\(link)")

        #expect(try Self.field("Package", of: package) == "oauth1-fcgi")
        #expect(try Self.field("Version", of: package) == version)
        #expect(try Self.field("Architecture", of: package) == architecture)
        let depends = try Self.field("Depends", of: package)
        let dependedOn = Set(depends.split(separator: ",").map { $0.split(separator: " ").first.map(String.init) ?? "" })
        #expect(dependedOn.isSuperset(of: ["libc6", "libfcgi0ldbl", "libssl3", "libsqlite3-0", "passwd"]), "Depends: \(depends)")
        #expect(depends.contains("libc6 (>= "), "glibc's version comes from the symbols the binary uses: \(depends)")
        #expect(!depends.contains("libpq") && !depends.contains("hiredis"), "dlopen'ed libraries are not hard dependencies: \(depends)")
        let suggests = Set(try Self.field("Suggests", of: package).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(suggests == (try Self.packagesNamedBySources()))
        let conffiles = try ProcessRunner.run("/usr/bin/dpkg-deb", ["--info", package, "conffiles"]).stdout
        #expect(conffiles == "/etc/oauth1-fcgi/oauth1-fcgi.conf\n")

        let listing = try ProcessRunner.run("/usr/bin/dpkg-deb", ["--contents", package]).stdout
        let files = Set(listing.split(separator: "\n").compactMap { $0.split(separator: " ").last.map { String($0.dropFirst()) } })
        let expected = ["/usr/bin/oauth1-fcgi", "/etc/oauth1-fcgi/oauth1-fcgi.conf", "/etc/oauth1-fcgi/templates/",
                        "/lib/systemd/system/oauth1-fcgi.socket", "/lib/systemd/system/oauth1-fcgi.service",
                        "/usr/share/man/man8/oauth1-fcgi.8.gz", "/usr/share/oauth1-fcgi/nginx/oauth1-fcgi.conf",
                        "/usr/share/oauth1-fcgi/nginx/protect-upstream.conf", "/usr/share/oauth1-fcgi/apache/proxy-fcgi.conf",
                        "/usr/share/oauth1-fcgi/apache/fcgid.conf", "/usr/share/oauth1-fcgi/apache/authorizer.conf",
                        "/usr/share/oauth1-fcgi/apache/shared-hosting.htaccess", "/usr/share/oauth1-fcgi/templates/login.mustache",
                        "/usr/share/doc/oauth1-fcgi/README.md", "/usr/share/doc/oauth1-fcgi/operations.md"]
        #expect(Set(expected).subtracting(files).isEmpty, "missing: \(Set(expected).subtracting(files))")
        #expect(!listing.contains("/var/lib/oauth1-fcgi"), "postinst creates the data directory, owned by the package's user")
        #expect(!listing.contains("@BINDIR@") && !listing.contains(".in\n"))

        // Installed into a scratch root: the maintainer scripts run with DPKG_ROOT and must stay inside it.
        let hostHadAccount = Self.hostHasAccount()
        let root = try ScratchDpkgRoot()
        defer { root.remove() }
        let installed = try root.dpkg(["--install", package])
        try #require(installed.status == 0, "\(installed.stdout)\(installed.stderr)")
        let account = try #require(root.passwdEntries("oauth1-fcgi").first)
        let uid = try #require(UInt32(account[2]))
        let gid = try #require(UInt32(account[3]))
        #expect(uid > 0 && uid < 1000, "a system account: \(account)")
        #expect(account[5] == "/var/lib/oauth1-fcgi" && account[6] == "/usr/sbin/nologin")
        let data = try #require(root.ownership("/var/lib/oauth1-fcgi"))
        #expect(data.uid == uid && data.gid == gid && data.mode == 0o700)
        let configuration = try #require(root.ownership("/etc/oauth1-fcgi/oauth1-fcgi.conf"))
        #expect(configuration.uid == 0 && configuration.gid == gid && configuration.mode == 0o640)
        #expect(root.exists("/etc/systemd/system/sockets.target.wants/oauth1-fcgi.socket"))
        #expect(root.exists("/etc/systemd/system/multi-user.target.wants/oauth1-fcgi.service"))
        #expect(Self.hostHasAccount() == hostHadAccount, "postinst created the account on this machine")

        // The installed binary runs, reads the installed configuration, and serves from a data directory.
        let binary = root.path + "/usr/bin/oauth1-fcgi"
        #expect(try Self.version(of: binary) == version)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OAUTH1_") }
        environment["OAUTH1_CONFIG"] = root.path + "/etc/oauth1-fcgi/oauth1-fcgi.conf"
        let settings = try ProcessRunner.run(binary, ["check-config"], environment: environment)
        #expect(settings.status == 0, "\(settings.stderr)")
        #expect(settings.stdout.contains("OAUTH1_DATA_DIR=/var/lib/oauth1-fcgi"), "\(settings.stdout)")
        environment["OAUTH1_DATA_DIR"] = root.path + "/var/lib/oauth1-fcgi"
        let migrated = try ProcessRunner.run(binary, ["migrate"], environment: environment)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(root.exists("/var/lib/oauth1-fcgi/oauth1.sqlite"))

        // Again: nothing is created twice, and the data stays.
        let again = try root.dpkg(["--install", package])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(root.passwdEntries("oauth1-fcgi").count == 1)
        #expect(root.exists("/var/lib/oauth1-fcgi/oauth1.sqlite"))

        // Purge: the data, the configuration and the enablement go; the account stays (packaging/debian/postrm).
        let purged = try root.dpkg(["--purge", "oauth1-fcgi"])
        #expect(purged.status == 0, "\(purged.stderr)")
        for gone in ["/var/lib/oauth1-fcgi", "/etc/oauth1-fcgi", "/usr/bin/oauth1-fcgi",
                     "/etc/systemd/system/sockets.target.wants/oauth1-fcgi.socket",
                     "/etc/systemd/system/multi-user.target.wants/oauth1-fcgi.service"] {
            #expect(!root.exists(gone), "\(gone) is still there after purge")
        }
        #expect(root.passwdEntries("oauth1-fcgi").count == 1)
    }

    /// A binary with packed relative relocations needs glibc 2.36 although none of its symbols says so: the package must
    /// not accept an older libc6. A small C program stands in for a release binary, which takes minutes to build.
    @Test func packedRelocationsRaiseTheLibc6Dependency() throws {
        let directory = ProviderServer.makeTemporaryDirectory("oauth1-relr")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "#include <stdio.h>\nstatic const char *version = \"9.9.9\";\nconst char **pointer = &version;\nint main(void) { puts(*pointer); return 0; }\n"
            .write(toFile: directory + "/main.c", atomically: true, encoding: .utf8)
        let compiled = try ProcessRunner.run("/usr/bin/gcc", ["-O1", "-fPIE", "-pie", "-Wl,-z,pack-relative-relocs",
                                                              directory + "/main.c", "-o", directory + "/oauth1-fcgi"])
        try #require(compiled.status == 0, "\(compiled.stderr)")
        let versions = try ProcessRunner.run("/usr/bin/readelf", ["-V", directory + "/oauth1-fcgi"]).stdout
        try #require(versions.contains("GLIBC_ABI_DT_RELR"), "the linker did not pack the relocations")

        let built = try ProcessRunner.run(Self.builder, [directory + "/oauth1-fcgi", directory + "/out"])
        try #require(built.status == 0, "\(built.stderr)")
        let depends = try Self.field("Depends", of: directory + "/out/oauth1-fcgi_9.9.9_" + (try Self.architecture()) + ".deb")
        #expect(depends.hasPrefix("libc6 (>= 2.36)"), "Depends: \(depends)")
    }

    static func architecture() throws -> String {
        try ProcessRunner.run("/usr/bin/dpkg", ["--print-architecture"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func hostHasAccount() -> Bool {
        ((try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? "").split(separator: "\n").contains { $0.hasPrefix("oauth1-fcgi:") }
    }
}
