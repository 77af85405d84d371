import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

/// Where settings come from: the environment and, when `OAUTH1_CONFIG` names one, a `KEY=VALUE` file; the environment wins.
public struct ConfigurationSource: Sendable {
    /// The merged settings.
    public let values: [String: String]
    /// The file that was read, if any.
    public let file: String?
    /// The keys whose value came from the file (the environment did not override them).
    public let fileKeys: Set<String>

    /// Settings as given, read from `file` if any.
    public init(values: [String: String], file: String?, fileKeys: Set<String> = []) {
        self.values = values
        self.file = file
        self.fileKeys = fileKeys
    }

    /// Reads the process environment and the file it names.
    public static func fromProcess() throws(ConfigurationError) -> ConfigurationSource {
        try merged(environment: processEnvironment())
    }

    /// Settings for the `serve` supervisor: with `configFile` (`serve --config`), that file's values over the environment's,
    /// since the supervisor reads the file again on SIGHUP and its environment cannot change; without it, as
    /// `fromProcess` merges them (`OAUTH1_CONFIG` under the environment).
    public static func forSupervisor(environment: [String: String], configFile: String?) throws(ConfigurationError) -> ConfigurationSource {
        guard let configFile else { return try merged(environment: environment) }
        var values = environment.filter { $0.key != "OAUTH1_CONFIG" }
        guard let text = readTextFile(configFile) else {
            throw ConfigurationError(key: "--config", message: "names \(configFile), which cannot be read")
        }
        let file = try parse(text, name: configFile).filter { $0.key != "OAUTH1_CONFIG" }
        for (key, value) in file { values[key] = value }
        // Only oauth1-fcgi reads this file, so a key in it that is not a setting is a typo to refuse, not to warn about.
        return ConfigurationSource(values: values, file: configFile, fileKeys: Set(file.keys))
    }

    /// Merges an environment with the file its `OAUTH1_CONFIG` names.
    static func merged(environment: [String: String]) throws(ConfigurationError) -> ConfigurationSource {
        guard let path = environment["OAUTH1_CONFIG"], !path.isEmpty else {
            return ConfigurationSource(values: environment, file: nil)
        }
        var values = try parseFile(path)
        let fileKeys = Set(values.keys).subtracting(environment.keys)
        for (key, value) in environment { values[key] = value }
        return ConfigurationSource(values: values, file: path, fileKeys: fileKeys)
    }

    /// Parses `KEY=VALUE` lines; blank lines and lines starting with `#` are skipped; a value may be wrapped in double quotes.
    static func parseFile(_ path: String) throws(ConfigurationError) -> [String: String] {
        guard let text = readTextFile(path) else {
            throw ConfigurationError(key: "OAUTH1_CONFIG", message: "names \(path), which cannot be read")
        }
        return try parse(text, name: path)
    }

    /// Parses the text of a configuration file; `name` is used in error messages.
    public static func parse(_ text: String, name: String) throws(ConfigurationError) -> [String: String] {
        var values = [String: String]()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimming(" \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError(key: "OAUTH1_CONFIG", message: "file \(name) line \(index + 1) is not KEY=VALUE")
            }
            let key = line[..<equals].trimming(" \t")
            var value = line[line.index(after: equals)...].trimming(" \t")
            guard !key.isEmpty, key.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) else {
                throw ConfigurationError(key: "OAUTH1_CONFIG", message: "file \(name) line \(index + 1) has an invalid key '\(key)'")
            }
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            values[key] = value
        }
        return values
    }

    /// The process environment, each `NAME=value` entry split at its first `=`.
    public static func processEnvironment() -> [String: String] {
        var result = [String: String]()
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// A UTF-8 file's text, or nil when it cannot be read, is not UTF-8 or exceeds 1 MiB.
    public static func readTextFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[0..<count]
            if bytes.count > 1 << 20 { return nil }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    /// The text without leading and trailing characters from `set`.
    func trimming(_ set: String) -> String {
        var start = startIndex
        var end = endIndex
        while start < end, set.contains(self[start]) { start = index(after: start) }
        while end > start, set.contains(self[index(before: end)]) { end = index(before: end) }
        return String(self[start..<end])
    }
}
