import OAuth1Gateway
import ProviderStorage

/// The settings the supervisor hands its workers, read at start and again on every SIGHUP: the environment `serve` was
/// started with, the configuration file (`--config`, whose values win, or `OAUTH1_CONFIG`, under the environment), and
/// `--data-dir` over both. They are checked in full, the stores opened once, before any worker is started with them.
struct WorkerSettings {
    let environment: [String: String]
    let configFile: String?
    let dataDirectory: String?

    /// The checked settings: the environment a worker gets (the file already merged in, so a worker never reads a file
    /// that may have changed since), and the configuration they make.
    func load() throws -> (values: [String: String], configuration: AppConfiguration) {
        let source = try ConfigurationSource.forSupervisor(environment: environment, configFile: configFile)
        var values = source.values
        if let dataDirectory { values["OAUTH1_DATA_DIR"] = dataDirectory }
        let configuration = try AppConfiguration(ConfigurationSource(values: values, file: source.file, fileKeys: source.fileKeys))
        // A bad data directory or a too-new schema stops start-up (and refuses a reload), rather than every worker. A
        // database server that does not answer yet does not: the workers answer 503 until it does. The connection
        // closes before any worker starts.
        do {
            let stores = try ProviderStores.open(configuration.storage)
            defer { stores.close() }
            // A missing or unreadable secrets key file stops start-up (and refuses a reload): no worker could open a secret.
            try stores.backend.secrets.reload()
            _ = try stores.checkHealth()
        } catch let error as StoreUnavailableError {
            Log.error("going on anyway: \(error); requests will be answered 503 until it answers")
        }
        values.removeValue(forKey: "OAUTH1_CONFIG")
        return (values, configuration)
    }
}
