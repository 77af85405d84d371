import Foundation

/// An empty Debian system in a temporary directory for `dpkg --root`: a dpkg database and the account files, nothing
/// else. Maintainer scripts run outside it (--force-script-chrootless) with DPKG_ROOT naming it, which ours honour, so
/// a package is installed, configured and purged without touching the machine's own system.
struct ScratchDpkgRoot {
    let path: String

    init() throws {
        path = ProviderServer.makeTemporaryDirectory("oauth1-dpkg-root")
        let manager = FileManager.default
        for directory in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "etc"] {
            try manager.createDirectory(atPath: path + "/" + directory, withIntermediateDirectories: true)
        }
        for file in ["var/lib/dpkg/status", "var/lib/dpkg/available"] { manager.createFile(atPath: path + "/" + file, contents: Data()) }
        let accounts = ["passwd": "root:x:0:0:root:/root:/bin/sh\n", "group": "root:x:0:\n",
                        "shadow": "root:*:19000:0:99999:7:::\n", "gshadow": "root:*::\n"]
        for (name, text) in accounts { try text.write(toFile: path + "/etc/" + name, atomically: true, encoding: .utf8) }
    }

    /// Runs dpkg on this root; dependencies are not installed here, so they are not enforced.
    func dpkg(_ arguments: [String]) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
        return try ProcessRunner.run("/usr/bin/dpkg", ["--root=" + path, "--force-script-chrootless", "--force-depends"] + arguments,
                                     environment: environment)
    }

    /// The fields of the passwd entries named `name` in this root.
    func passwdEntries(_ name: String) -> [[String]] {
        let text = (try? String(contentsOfFile: path + "/etc/passwd", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.first == name }
    }

    /// Owner, group and permission bits of a file in this root.
    func ownership(_ file: String) -> (uid: UInt32, gid: UInt32, mode: UInt32)? {
        var info = stat()
        guard lstat(path + file, &info) == 0 else { return nil }
        return (info.st_uid, info.st_gid, UInt32(info.st_mode) & 0o7777)
    }

    func exists(_ file: String) -> Bool {
        var info = stat()
        return lstat(path + file, &info) == 0
    }

    func remove() {
        if ProcessInfo.processInfo.environment["OAUTH1_KEEP_TEST_DIRS"] == nil { try? FileManager.default.removeItem(atPath: path) }
    }
}
