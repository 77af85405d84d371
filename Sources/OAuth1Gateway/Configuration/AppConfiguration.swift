import PostgreSQLAndRedisStore
import ProviderCore
import ProviderStorage

/// Every setting of the provider, read from `ConfigurationSource` and checked; an invalid value stops start-up with a message naming the key.
public struct AppConfiguration: Sendable {
    /// One documented setting: key, default, and what it does (docs/configuration.md's table is this list).
    struct Setting: Sendable {
        let key: String
        let defaultValue: String
        let summary: String
        var isSecret = false
    }

    static let settings: [Setting] = [
        Setting(key: "OAUTH1_CONFIG", defaultValue: "", summary: "a KEY=VALUE file read before the environment; the environment wins"),
        Setting(key: "OAUTH1_DATA_DIR", defaultValue: "var", summary: "the data directory: database, session key, nonces (created 0700)"),
        Setting(key: "OAUTH1_DATABASE_URL", defaultValue: "", summary: "empty: SQLite in the data directory; a postgresql:// (or postgres://) URI: PostgreSQL through libpq, for several hosts", isSecret: true),
        Setting(key: "OAUTH1_REDIS_URL", defaultValue: "", summary: "redis://[:password@]host[:port][/db] or unix:///path/redis.sock[?db=N]: nonces and temporary credentials in Redis; empty: in the database", isSecret: true),
        Setting(key: "OAUTH1_NONCES", defaultValue: "table", summary: "SQLite without Redis only: where nonces live, table (the nonce table, DATA/nonces/) or sqlite (DATA/nonces.sqlite, a database sqlite3 and backup tools read; slower)"),
        Setting(key: "OAUTH1_SUPPORTED_SIGNATURE_METHODS", defaultValue: "HMAC-SHA1", summary: "accepted signature methods, comma-separated: HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, PLAINTEXT, RSA-SHA1, RSA-SHA256"),
        Setting(key: "OAUTH1_TOKEN_LENGTH", defaultValue: "42", summary: "length of issued oauth_token values (16-256)"),
        Setting(key: "OAUTH1_TOKEN_SECRET_LENGTH", defaultValue: "48", summary: "length of issued oauth_token_secret values (16-256)"),
        Setting(key: "OAUTH1_VERIFIER_LENGTH", defaultValue: "36", summary: "length of oauth_verifier values (16-256)"),
        Setting(key: "OAUTH1_TIMESTAMP_WINDOW", defaultValue: "300", summary: "seconds a timestamp may differ from the server's clock, either way"),
        Setting(key: "OAUTH1_TEMPORARY_CREDENTIAL_LIFETIME", defaultValue: "600", summary: "seconds a temporary credential stays usable"),
        Setting(key: "OAUTH1_MAX_NONCE_LENGTH", defaultValue: "255", summary: "longest accepted oauth_nonce, in bytes"),
        Setting(key: "OAUTH1_REALM", defaultValue: "oauth1-fcgi", summary: "the realm in WWW-Authenticate"),
        Setting(key: "OAUTH1_SCOPES", defaultValue: "", summary: "scopes offered, as name=Description;name2=Description"),
        Setting(key: "OAUTH1_USER_SCOPE", defaultValue: "", summary: "a scope GET /user requires (one of OAUTH1_SCOPES); empty requires none"),
        Setting(key: "OAUTH1_SIGNUP", defaultValue: "false", summary: "true opens a sign-up page at /signup; otherwise the admin CLI creates users"),
        Setting(key: "OAUTH1_TRUST_REMOTE_USER", defaultValue: "false", summary: "true signs in whoever the web server authenticated (REMOTE_USER), creating the user on first sight"),
        Setting(key: "OAUTH1_INSECURE_TRANSPORT", defaultValue: "false", summary: "true serves OAuth over plain HTTP (local development only); AUTHLIB_INSECURE_TRANSPORT=true is accepted too"),
        Setting(key: "OAUTH1_TRUSTED_PROXIES", defaultValue: "", summary: "comma-separated addresses whose X-Forwarded-Proto/Host/Port/For are believed (For: the client address sign-in limits count)"),
        Setting(key: "OAUTH1_MOUNT_PATH", defaultValue: "", summary: "URL path the app is mounted at, e.g. /oauth; empty takes it from SCRIPT_NAME"),
        Setting(key: "OAUTH1_MAX_BODY_BYTES", defaultValue: "1048576", summary: "largest accepted request body"),
        Setting(key: "OAUTH1_TEMPLATES", defaultValue: "", summary: "a directory whose .mustache files replace the shipped pages one by one"),
        Setting(key: "OAUTH1_SITE_NAME", defaultValue: "oauth1-fcgi", summary: "the site name shown on pages"),
        Setting(key: "OAUTH1_SESSION_LIFETIME", defaultValue: "28800", summary: "seconds a browser session lasts"),
        Setting(key: "OAUTH1_LOGIN_MAX_FAILURES", defaultValue: "5", summary: "failed sign-ins for one username, within the window, before it is locked"),
        Setting(key: "OAUTH1_LOGIN_MAX_FAILURES_PER_ADDRESS", defaultValue: "20", summary: "failed sign-ins from one client address, within the window, before it is locked"),
        Setting(key: "OAUTH1_LOGIN_WINDOW", defaultValue: "900", summary: "seconds over which failed sign-ins are counted"),
        Setting(key: "OAUTH1_INITIATE_LIMIT_PER_CLIENT", defaultValue: "1200", summary: "temporary credentials one client may obtain from /initiate within the window; 0: no limit"),
        Setting(key: "OAUTH1_INITIATE_LIMIT_PER_ADDRESS", defaultValue: "600", summary: "requests to /initiate from one client address within the window, signed or not; 0: no limit"),
        Setting(key: "OAUTH1_INITIATE_WINDOW", defaultValue: "60", summary: "seconds over which /initiate requests are counted; a client or address at its limit waits this long"),
        Setting(key: "OAUTH1_LOGIN_LOCKOUT", defaultValue: "300", summary: "seconds a locked username or address waits before it may try again"),
        Setting(key: "OAUTH1_SECRETS_KEY_FILE", defaultValue: "", summary: "the file of keys that seal client and token secrets in the database (AES-256-GCM); empty: secrets.key in the data directory, made on first use; required with PostgreSQL, the same file on every host"),
        Setting(key: "OAUTH1_CACHE_CHECK_INTERVAL_MS", defaultValue: "1000", summary: "with PostgreSQL: milliseconds a worker trusts its cached clients and tokens between reads of the cache version; changes arrive sooner as notifications; 0: read it for every request"),
        Setting(key: "OAUTH1_PURGE_INTERVAL", defaultValue: "300", summary: "seconds between automatic purges of expired nonces, credentials and sessions"),
        Setting(key: "OAUTH1_AUDIT_LOG", defaultValue: "", summary: "a file the audit trail is appended to (one JSON line per sign-in, consent, token issued or revoked, client change); empty: standard error"),
        Setting(key: "OAUTH1_LOG_LEVEL", defaultValue: "info", summary: "error, info or debug (debug logs signature base strings, never secrets)"),
    ]

    /// The data directory (`OAUTH1_DATA_DIR`).
    public let dataDirectory: String
    /// Where the stores live (`OAUTH1_DATABASE_URL`, `OAUTH1_REDIS_URL`, `OAUTH1_NONCES`).
    public let storage: StorageConfiguration
    let provider: ProviderConfiguration
    /// The proxies whose `X-Forwarded-*` headers are believed (`OAUTH1_TRUSTED_PROXIES`).
    public let trustedProxies: Set<String>
    /// The configured mount path (`OAUTH1_MOUNT_PATH`); nil takes it from SCRIPT_NAME.
    public let mountPath: String?
    /// The largest accepted request body (`OAUTH1_MAX_BODY_BYTES`).
    public let maximumBodyBytes: Int
    let templateDirectory: String?
    let siteName: String
    let sessionLifetime: Int64
    let purgeInterval: Int64
    let userScope: String?
    let signupEnabled: Bool
    let trustsRemoteUser: Bool
    let usernameLoginPolicy: LoginThrottlePolicy
    let addressLoginPolicy: LoginThrottlePolicy
    /// How many temporary credentials one client may obtain per window, or nil for no limit.
    let initiateClientPolicy: LoginThrottlePolicy?
    /// How many /initiate requests one address may send per window, or nil for no limit.
    let initiateAddressPolicy: LoginThrottlePolicy?
    /// Where the audit trail goes (`OAUTH1_AUDIT_LOG`).
    public let auditLog: AuditLog
    /// How much is logged (`OAUTH1_LOG_LEVEL`).
    public let logLevel: LogLevel

    var allowsInsecureTransport: Bool { provider.allowsInsecureTransport }

    /// Where data and expiring state live, from `OAUTH1_DATABASE_URL`, `OAUTH1_REDIS_URL` and `OAUTH1_NONCES`; an error
    /// names the key and never repeats a password.
    static func storage(_ values: [String: String], dataDirectory: String, nonces: String) throws(ConfigurationError) -> StorageConfiguration {
        let databaseURL = values["OAUTH1_DATABASE_URL"] ?? ""
        let redisURL = values["OAUTH1_REDIS_URL"] ?? ""
        let data: StorageConfiguration.DataStore
        if databaseURL.isEmpty {
            data = .sqlite(dataDirectory: dataDirectory)
        } else if databaseURL.hasPrefix("postgresql://") || databaseURL.hasPrefix("postgres://") {
            data = .postgresql(url: databaseURL)
        } else {
            throw ConfigurationError(key: "OAUTH1_DATABASE_URL", message: "is '\(redactedURL(databaseURL))'; use a postgresql:// URI (as in postgresql://oauth1@/oauth1?host=/run/postgresql), or leave it unset for SQLite in the data directory")
        }
        var expiring: StorageConfiguration.ExpiringStore
        do {
            expiring = try StorageConfiguration.ExpiringStore(setting: nonces)
        } catch {
            throw ConfigurationError(key: "OAUTH1_NONCES", message: "is '\(nonces)'; use table or sqlite")
        }
        if case .postgresql = data {
            if values["OAUTH1_NONCES"] != nil {
                throw ConfigurationError(key: "OAUTH1_NONCES", message: "applies to SQLite only: with OAUTH1_DATABASE_URL set, nonces live in the database, or in Redis when OAUTH1_REDIS_URL is set; remove it")
            }
            expiring = .database
        }
        if !redisURL.isEmpty {
            do {
                _ = try RedisEndpoint(url: redisURL)
            } catch {
                throw ConfigurationError(key: "OAUTH1_REDIS_URL", message: "is '\(redactedURL(redisURL))': \(error.description)")
            }
            if case .sqlite = data, values["OAUTH1_NONCES"] != nil {
                throw ConfigurationError(key: "OAUTH1_NONCES", message: "does not apply when OAUTH1_REDIS_URL is set: nonces then live in Redis; remove one of them")
            }
            expiring = .redis(url: redisURL)
        }
        do {
            return try StorageConfiguration(data: data, expiring: expiring)
        } catch {
            throw ConfigurationError(key: "OAUTH1_NONCES", message: error.message)
        }
    }

    /// Reads and checks every setting.
    public init(_ source: ConfigurationSource) throws(ConfigurationError) {
        let values = source.values
        func value(_ key: String) -> String {
            values[key] ?? Self.settings.first { $0.key == key }?.defaultValue ?? ""
        }
        func integer(_ key: String, _ range: ClosedRange<Int64>) throws(ConfigurationError) -> Int64 {
            let text = value(key)
            guard let number = Int64(text), range.contains(number) else {
                throw ConfigurationError(key: key, message: "is '\(text)'; it must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        func boolean(_ key: String) throws(ConfigurationError) -> Bool {
            switch value(key).lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off", "": return false
            default: throw ConfigurationError(key: key, message: "is '\(value(key))'; use true or false")
            }
        }

        dataDirectory = value("OAUTH1_DATA_DIR")
        guard !dataDirectory.isEmpty else { throw ConfigurationError(key: "OAUTH1_DATA_DIR", message: "is empty") }
        if values["OAUTH1_CACHE"] != nil {
            throw ConfigurationError(key: "OAUTH1_CACHE", message: "was removed: nonces and temporary credentials live in the data directory; OAUTH1_NONCES=table|sqlite chooses where nonces go")
        }
        var storage = try Self.storage(values, dataDirectory: dataDirectory, nonces: value("OAUTH1_NONCES"))
        storage.cacheCheckInterval = try integer("OAUTH1_CACHE_CHECK_INTERVAL_MS", 0...60_000)
        let secretsKeyFile = value("OAUTH1_SECRETS_KEY_FILE")
        if !secretsKeyFile.isEmpty {
            guard secretsKeyFile.hasPrefix("/") else {
                throw ConfigurationError(key: "OAUTH1_SECRETS_KEY_FILE", message: "is '\(secretsKeyFile)'; give an absolute path")
            }
            storage.secretsKeyFile = secretsKeyFile
        } else if case .postgresql = storage.data {
            throw ConfigurationError(key: "OAUTH1_SECRETS_KEY_FILE", message: "is empty; with PostgreSQL it must name the secrets key file, the same on every host (`oauth1-fcgi migrate` creates it when the database holds no secret yet)")
        }
        self.storage = storage

        var provider = ProviderConfiguration()
        provider.supportedSignatureMethods = value("OAUTH1_SUPPORTED_SIGNATURE_METHODS")
            .split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        provider.tokenLength = Int(try integer("OAUTH1_TOKEN_LENGTH", 16...256))
        provider.tokenSecretLength = Int(try integer("OAUTH1_TOKEN_SECRET_LENGTH", 16...256))
        provider.verifierLength = Int(try integer("OAUTH1_VERIFIER_LENGTH", 16...256))
        provider.timestampWindow = try integer("OAUTH1_TIMESTAMP_WINDOW", 1...86_400)
        provider.temporaryCredentialLifetime = try integer("OAUTH1_TEMPORARY_CREDENTIAL_LIFETIME", 1...86_400)
        provider.maximumNonceLength = Int(try integer("OAUTH1_MAX_NONCE_LENGTH", 8...4096))
        provider.realm = value("OAUTH1_REALM")
        provider.allowsInsecureTransport = try boolean("OAUTH1_INSECURE_TRANSPORT")
            || (values["AUTHLIB_INSECURE_TRANSPORT"].map { ["true", "1"].contains($0.lowercased()) } ?? false)
        provider.scopes = try Self.parseScopes(value("OAUTH1_SCOPES"))
        try provider.validate(against: .builtIn)
        self.provider = provider

        let userScope = value("OAUTH1_USER_SCOPE")
        if !userScope.isEmpty, !provider.scopes.contains(where: { $0.name == userScope }) {
            throw ConfigurationError(key: "OAUTH1_USER_SCOPE", message: "is '\(userScope)', which OAUTH1_SCOPES does not offer")
        }
        self.userScope = userScope.isEmpty ? nil : userScope
        signupEnabled = try boolean("OAUTH1_SIGNUP")
        trustsRemoteUser = try boolean("OAUTH1_TRUST_REMOTE_USER")
        trustedProxies = Set(value("OAUTH1_TRUSTED_PROXIES").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init))
        let mount = value("OAUTH1_MOUNT_PATH")
        if !mount.isEmpty, !mount.hasPrefix("/") || mount.hasSuffix("/") {
            throw ConfigurationError(key: "OAUTH1_MOUNT_PATH", message: "is '\(mount)'; it must start with / and not end with / (e.g. /oauth)")
        }
        mountPath = mount.isEmpty ? nil : mount
        maximumBodyBytes = Int(try integer("OAUTH1_MAX_BODY_BYTES", 1024...(64 << 20)))
        let templates = value("OAUTH1_TEMPLATES")
        templateDirectory = templates.isEmpty ? nil : templates
        siteName = value("OAUTH1_SITE_NAME")
        sessionLifetime = try integer("OAUTH1_SESSION_LIFETIME", 60...(90 * 86_400))
        purgeInterval = try integer("OAUTH1_PURGE_INTERVAL", 10...86_400)
        let window = try integer("OAUTH1_LOGIN_WINDOW", 1...86_400)
        let lockout = try integer("OAUTH1_LOGIN_LOCKOUT", 1...86_400)
        usernameLoginPolicy = LoginThrottlePolicy(maximumFailures: Int(try integer("OAUTH1_LOGIN_MAX_FAILURES", 1...1000)),
                                                         window: window, lockout: lockout)
        addressLoginPolicy = LoginThrottlePolicy(maximumFailures: Int(try integer("OAUTH1_LOGIN_MAX_FAILURES_PER_ADDRESS", 1...100_000)),
                                                        window: window, lockout: lockout)
        let initiateWindow = try integer("OAUTH1_INITIATE_WINDOW", 1...86_400)
        func initiatePolicy(_ key: String) throws(ConfigurationError) -> LoginThrottlePolicy? {
            let limit = Int(try integer(key, 0...1_000_000))
            return limit == 0 ? nil : LoginThrottlePolicy(maximumFailures: limit, window: initiateWindow, lockout: initiateWindow)
        }
        initiateClientPolicy = try initiatePolicy("OAUTH1_INITIATE_LIMIT_PER_CLIENT")
        initiateAddressPolicy = try initiatePolicy("OAUTH1_INITIATE_LIMIT_PER_ADDRESS")
        let auditPath = value("OAUTH1_AUDIT_LOG")
        if !auditPath.isEmpty && !auditPath.hasPrefix("/") {
            throw ConfigurationError(key: "OAUTH1_AUDIT_LOG", message: "is '\(auditPath)'; give an absolute path, or leave it empty for standard error")
        }
        auditLog = AuditLog(destination: auditPath.isEmpty ? .standardError : .file(auditPath))
        guard let level = LogLevel(rawValue: value("OAUTH1_LOG_LEVEL")) else {
            throw ConfigurationError(key: "OAUTH1_LOG_LEVEL", message: "is '\(value("OAUTH1_LOG_LEVEL"))'; use error, info or debug")
        }
        logLevel = level
        let known = Set(Self.settings.map(\.key)).union(Self.internalKeys)
        let unknown = values.keys.filter { $0.hasPrefix("OAUTH1_") && !known.contains($0) }.sorted()
        if let key = unknown.first(where: { source.fileKeys.contains($0) }) {
            throw ConfigurationError(key: key, message: "in \(source.file ?? "the configuration file") is not a setting of oauth1-fcgi; check its spelling")
        }
        unknownKeys = unknown
    }

    /// `OAUTH1_*` variables in the environment that are no setting of this provider: other tools use the prefix too, so
    /// they are only warned about (`warnAboutUnknownKeys`), and `check-config` fails on them.
    public let unknownKeys: [String]

    nonisolated(unsafe) private static var warnedAboutUnknownKeys = false

    /// One warning on standard error naming the unknown `OAUTH1_*` variables, when there are any; once per process.
    public func warnAboutUnknownKeys() {
        guard !unknownKeys.isEmpty, !Self.warnedAboutUnknownKeys else { return }
        Self.warnedAboutUnknownKeys = true
        Log.warning("ignoring \(unknownKeys.joined(separator: ", ")) in the environment: not a setting of oauth1-fcgi (a typo? `oauth1-fcgi check-config` fails on it)")
    }

    /// Keys the supervisor sets for its workers.
    static let internalKeys: Set<String> = ["OAUTH1_MAX_REQUESTS", "OAUTH1_WORKER"]

    /// Parses `name=Description;name2=Description`.
    static func parseScopes(_ text: String) throws(ConfigurationError) -> [ScopeDefinition] {
        var scopes = [ScopeDefinition]()
        for entry in text.split(separator: ";") {
            let trimmed = entry.trimming(" \t")
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimming(" \t")
            let given = parts.count > 1 ? parts[1].trimming(" \t") : ""
            let description = given.isEmpty ? name : given
            guard !name.isEmpty, !name.contains(" "), !scopes.contains(where: { $0.name == name }) else {
                throw ConfigurationError(key: "OAUTH1_SCOPES", message: "has the entry '\(trimmed)'; write name=Description, names unique and without spaces")
            }
            scopes.append(ScopeDefinition(name: name, description: description))
        }
        return scopes
    }

    /// The effective settings as `KEY=VALUE` lines for `check-config`, secrets masked.
    public static func describe(_ source: ConfigurationSource) -> [String] {
        settings.map { setting in
            let value = source.values[setting.key] ?? setting.defaultValue
            let origin = source.values[setting.key] == nil ? " (default)" : ""
            return "\(setting.key)=\(setting.isSecret && !value.isEmpty ? "********" : value)\(origin)"
        }
    }
}
