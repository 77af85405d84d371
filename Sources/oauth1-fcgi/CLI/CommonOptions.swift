import ArgumentParser
import OAuth1Gateway
import ProviderCore
import ProviderStorage
#if canImport(Glibc)
import Glibc
#endif

/// Options every admin command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The data directory (default: OAUTH1_DATA_DIR, else ./var).")
    var dataDirectory: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    /// The settings from the environment and OAUTH1_CONFIG, with --data-dir taking precedence.
    func source() throws -> ConfigurationSource {
        let source = try ConfigurationSource.fromProcess()
        guard let dataDirectory else { return source }
        var values = source.values
        values["OAUTH1_DATA_DIR"] = dataDirectory
        return ConfigurationSource(values: values, file: source.file)
    }

    /// The effective configuration, checked.
    func configuration() throws -> AppConfiguration {
        let configuration = try AppConfiguration(source())
        configuration.warnAboutUnknownKeys()
        return configuration
    }

    /// Opens the stores the settings name (the data directory's SQLite, or PostgreSQL and Redis).
    func stores() throws -> ProviderStores {
        let configuration = try configuration()
        return try ProviderStores.open(configuration.storage)
    }
}

/// A failure an admin command reports on standard error before exiting non-zero.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints to standard output.
/// Prints records as one JSON array with `--json`, else one line of text each.
func emitList<Record>(_ records: [Record], json: Bool, asJSON: (Record) -> String, asLine: (Record) -> String) {
    if json {
        emit("[" + records.map(asJSON).joined(separator: ", ") + "]")
    } else {
        for record in records { emit(asLine(record)) }
    }
}

func emit(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { buffer in _ = write(1, buffer.baseAddress, buffer.count) }
}

extension CommonOptions {
    /// Records an administrator's change, with the address `cli`, in the audit file `OAUTH1_AUDIT_LOG` names; without
    /// one, nothing (the command's own output is the administrator's record, and its standard error is a terminal).
    func audit(_ event: AuditEvent, user: Int64? = nil, client: String? = nil, token: String? = nil) throws {
        let trail = try configuration().auditLog
        guard case .file = trail.destination else { return }
        trail.record(event, at: SystemEpochClock().now(), user: user.map { String($0) }, client: client,
                                            address: "cli", token: token)
    }
}
