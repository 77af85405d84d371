import Foundation
import Testing

/// A command block of a document, the ```sh fence after a `<!-- recipe: NAME -->` line, run as written: only absolute paths
/// move into a scratch directory (`Scratch`), and `a2enmod` does nothing (the test's Apache loads its modules itself).
struct DocRecipe {
    let name: String
    let text: String

    /// The block named `name` in `document` (relative to the repository); fails the test when there is none.
    static func named(_ name: String, in document: String = "docs/apache.md") throws -> DocRecipe {
        let markdown = try String(contentsOf: ProcessRunner.repository.appendingPathComponent(document), encoding: .utf8)
        let lines = markdown.components(separatedBy: "\n")
        let marker = try #require(lines.firstIndex(of: "<!-- recipe: \(name) -->"), "\(document) has no recipe \(name)")
        let open = try #require(lines[(marker + 1)...].firstIndex(of: "```sh"), "recipe \(name) has no ```sh block")
        let close = try #require(lines[(open + 1)...].firstIndex(of: "```"), "recipe \(name) is not closed")
        return DocRecipe(name: name, text: lines[(open + 1)..<close].joined(separator: "\n") + "\n")
    }

    /// The modules the block's `a2enmod` lines name.
    var enabledModules: [String] {
        text.components(separatedBy: "\n").filter { $0.hasPrefix("a2enmod ") }.flatMap { $0.split(separator: " ").dropFirst().map(String.init) }
    }

    /// Expects Apache's test configuration to load every module `a2enmod` names, since the recipe relies on them.
    func expectModulesLoaded() throws {
        let config = try String(contentsOf: ProcessRunner.repository.appendingPathComponent("apache/server.conf.in"), encoding: .utf8)
        for module in enabledModules {
            #expect(config.contains("/mod_\(module).so"), "recipe \(name) enables \(module), which apache/server.conf.in does not load")
        }
    }

    /// Runs the block with bash (`set -euo pipefail`), as `user` when given, in `home` (also HOME) or else the repository.
    func run(_ scratch: Scratch? = nil, as user: String? = nil, home: String? = nil, stdin: String? = nil) throws -> ProcessResult {
        let script = "a2enmod() { :; }\ncd \(home ?? ProcessRunner.repository.path)\n" + (scratch?.apply(text) ?? text)
        var command = ["/usr/bin/env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"]
        if let home { command.append("HOME=\(home)") }
        command += ["/bin/bash", "-euo", "pipefail", "-c", script]
        if let user { command = ["/usr/sbin/runuser", "-u", user, "--"] + command }
        let result = try ProcessRunner.run(command[0], Array(command.dropFirst()), environment: [:], stdin: stdin ?? "", timeout: 90)
        #expect(result.status == 0, "recipe \(name) failed (\(result.status)): \(result.stderr)\n--- as run:\n\(script)")
        return result
    }

    /// Starts the block (a single long-running command) in the background, with a clean signal mask; stop it with SIGTERM.
    func start(_ scratch: Scratch, log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                             "/bin/bash", "-euo", "pipefail", "-c", "exec " + scratch.apply(text)]
        process.environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"]
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The `client_id=` and `client_secret=` lines `client add` printed.
    static func client(in output: String) throws -> (id: String, secret: String) {
        func value(_ key: String) throws -> String {
            let line = try #require(output.components(separatedBy: "\n").first { $0.hasPrefix(key + "=") }, "no \(key) in \(output)")
            return String(line.dropFirst(key.count + 1))
        }
        return (try value("client_id"), try value("client_secret"))
    }
}

/// Where a recipe's absolute paths go in a test: under `root`, with a throw-away service account for `oauth1`.
struct Scratch {
    let root: String
    let account: String
    let binary: String

    init(root: String, binary: String = ProcessRunner.binary) {
        self.root = root
        self.account = "oauth1t\(Int.random(in: 100_000...999_999))"
        self.binary = binary
    }

    /// The recipe or shipped file with its paths and account moved.
    func apply(_ text: String) -> String {
        var text = text.replacingOccurrences(of: ".build/release/oauth1-fcgi", with: binary)
        for path in ["/usr/local/bin/oauth1-fcgi", "/usr/local/lib/oauth1-fcgi", "/var/lib/oauth1-fcgi", "/run/oauth1-fcgi", "/etc/apache2/"] {
            text = text.replacingOccurrences(of: path, with: root + path)
        }
        // The account `oauth1` as a word of its own (not oauth1-fcgi, not a path).
        return text.replacingOccurrences(of: #"(?<![\w/.-])oauth1(?![\w/.-])"#, with: account, options: .regularExpression)
    }

    /// Removes the service account, if the recipe created it.
    func removeAccount() {
        _ = try? ProcessRunner.run("/usr/sbin/userdel", [account])
    }
}
