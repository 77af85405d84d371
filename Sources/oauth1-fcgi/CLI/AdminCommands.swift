import ArgumentParser
import ProviderStorage
import OAuth1Gateway
import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

/// The `oauth1-fcgi` command line; with no arguments the binary serves FastCGI or CGI instead (see main.swift).
struct OAuth1Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oauth1-fcgi",
        abstract: "An OAuth 1.0a provider (RFC 5849) for FastCGI and CGI.",
        discussion: "Run with no arguments under a web server to serve FastCGI (a listening socket on fd 0) or CGI. The subcommands administer the data directory.",
        version: oauth1FcgiVersion,
        subcommands: [Serve.self, UserCommand.self, ClientCommand.self, TokenCommand.self, Purge.self, Migrate.self, RotateSecretsKey.self, Copy.self,
                      Backup.self, Restore.self, CheckConfig.self])
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Listen on a socket and run FastCGI worker processes.")

    @Option(help: "unix:PATH or HOST:PORT; without it, the socket systemd passes (LISTEN_PID, LISTEN_FDS: fd 3).") var listen: String?
    @Option(help: "Worker processes.") var workers = 4
    @Option(name: .customLong("max-requests"), help: "Requests a worker serves before it is replaced (0: no limit).") var maxRequests = 10_000
    @Option(name: .customLong("socket-mode"), help: "Permissions of a unix socket, octal.") var socketMode = "0660"
    @Option(name: .customLong("data-dir"), help: "The data directory (default: OAUTH1_DATA_DIR, else ./var).") var dataDirectory: String?

    func run() throws {
        // Workers read their settings from the environment they inherit, so the option travels as OAUTH1_DATA_DIR.
        if let dataDirectory { setenv("OAUTH1_DATA_DIR", dataDirectory, 1) }
        guard (1...256).contains(workers) else { throw CommandFailure("--workers must be from 1 to 256") }
        guard maxRequests >= 0 else { throw CommandFailure("--max-requests must be 0 or more") }
        guard let mode = mode_t(socketMode, radix: 8), mode <= 0o777 else { throw CommandFailure("--socket-mode must be octal, such as 0660") }
        let socket: ListeningSocket
        if let listen {
            guard let address = ListenAddress(listen) else {
                throw CommandFailure("--listen must be unix:PATH or HOST:PORT, not '\(listen)'")
            }
            SocketActivation.clearEnvironment()
            socket = .bind(address, socketMode: mode)
        } else if let descriptor = try SocketActivation.takeListener() {
            socket = .inherited(descriptor: descriptor)
        } else {
            throw CommandFailure("pass --listen unix:PATH or HOST:PORT, or start serve under systemd socket activation (LISTEN_PID and LISTEN_FDS)")
        }
        let configuration = try AppConfiguration(ConfigurationSource.fromProcess())
        Log.level = configuration.logLevel
        configuration.warnAboutUnknownKeys()
        // Open the database once here so a bad data directory or a too-new schema stops start-up, not every worker. A
        // database server that does not answer yet does not: the workers answer 503 until it does. The connection
        // closes before the workers are forked.
        do {
            let stores = try ProviderStores.open(configuration.storage)
            defer { stores.close() }
            // A missing or unreadable secrets key file stops start-up: no worker could open a client's secret.
            try stores.backend.secrets.reload()
            _ = try stores.checkHealth()
        } catch let error as StoreUnavailableError {
            Log.error("starting anyway: \(error); requests will be answered 503 until it answers")
        }
        let status = Supervisor(socket: socket, workers: workers, maxRequests: maxRequests).run()
        if status != 0 { throw ExitCode(status) }
    }
}

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.",
                                                    subcommands: [Add.self, List.self, Passwd.self, Sessions.self])

    /// The password on standard input (at most 4 KiB, one trailing newline dropped); refused unless `--password-stdin`
    /// says it is there, so that it stays out of process lists and shell history.
    static func readPassword(passwordStdin: Bool) throws -> String {
        guard passwordStdin else { throw CommandFailure("pass --password-stdin and the password on standard input, so it stays out of process lists and shell history") }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1024)
        while bytes.count <= 4096 {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        guard let password = String(validating: bytes, as: UTF8.self) else { throw CommandFailure("the password is not UTF-8 text") }
        return password
    }

    /// The user named `username`, or a failure that says there is none.
    static func existingUser(_ username: String, in stores: ProviderStores) throws -> UserRecord {
        guard let user = try stores.users.user(username: username) else {
            throw CommandFailure("there is no user \(username); `oauth1-fcgi user list` shows them")
        }
        return user
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user; the password is read from standard input.")
        @Option var username: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (required).") var passwordStdin = false
        @OptionGroup var options: CommonOptions

        func run() throws {
            let password = try UserCommand.readPassword(passwordStdin: passwordStdin)
            let user = try options.stores().users.create(username: username, password: password)
            emit(options.json ? JSON.object([("id", String(user.id)), ("username", JSON.string(user.username))])
                              : "created user \(user.username) with id \(user.id)")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password, read from standard input, and end every session the user has.")
        @Option var username: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (required).") var passwordStdin = false
        @OptionGroup var options: CommonOptions

        func run() throws {
            let password = try UserCommand.readPassword(passwordStdin: passwordStdin)
            let stores = try options.stores()
            let user = try UserCommand.existingUser(username, in: stores)
            try stores.users.setPassword(userID: user.id, password: password)
            try stores.sessions.deleteAll(userID: user.id)
            emit(options.json ? JSON.object([("id", String(user.id)), ("username", JSON.string(user.username)), ("sessions_ended", "true")])
                              : "set the password of \(user.username) and ended every session of theirs")
        }
    }

    struct Sessions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End every browser session of a user (sign out everywhere).")
        @Option var username: String
        @Flag(help: "End the sessions (required: nothing else is done).") var revoke = false
        @OptionGroup var options: CommonOptions

        func run() throws {
            guard revoke else { throw CommandFailure("pass --revoke to end every session of \(username)") }
            let stores = try options.stores()
            let user = try UserCommand.existingUser(username, in: stores)
            try stores.sessions.deleteAll(userID: user.id)
            emit(options.json ? JSON.object([("id", String(user.id)), ("username", JSON.string(user.username)), ("sessions_ended", "true")])
                              : "ended every session of \(user.username)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var options: CommonOptions

        func run() throws {
            emitList(try options.stores().users.all(), json: options.json,
                     asJSON: { JSON.object([("id", String($0.id)), ("username", JSON.string($0.username)),
                                            ("created", JSON.string(isoTime($0.createdAt)))]) },
                     asLine: { "\($0.id)\t\($0.username)\t\(isoTime($0.createdAt))" })
        }
    }
}

struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "Manage clients.",
                                                    subcommands: [Add.self, Show.self, List.self, Remove.self])

    static func json(_ client: ClientRecord, secret: Bool) -> String {
        var members: [(String, String)] = [("client_id", JSON.string(client.identifier))]
        if secret { members.append(("client_secret", JSON.string(client.secret))) }
        members += [("name", JSON.string(client.name)),
                    ("callbacks", "[" + client.callbackURIs.map(JSON.string).joined(separator: ", ") + "]"),
                    ("rsa_public_key", client.rsaPublicKeyPEM == nil ? "false" : "true"),
                    ("two_legged", client.allowsTwoLegged ? "true" : "false"),
                    ("require_body_hash", client.requiresBodyHash ? "true" : "false"),
                    ("disabled", client.isDisabled ? "true" : "false"),
                    ("created", JSON.string(isoTime(client.createdAt)))]
        return JSON.object(members)
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a client and print its identifier and secret.")
        @Option var name: String
        @Option var description = ""
        @Option(help: "A callback URI (repeatable); none allows any.") var callback: [String] = []
        @Option(name: .customLong("rsa-public-key"), help: "A PEM file: public key or X.509 certificate.") var rsaPublicKey: String?
        @Flag(name: .customLong("two-legged"), help: "Allow requests signed with client credentials only.") var twoLegged = false
        @Flag(name: .customLong("require-body-hash"), help: "Refuse a non-form request body that comes without oauth_body_hash.") var requireBodyHash = false
        @Option(name: .customLong("client-id"), help: "Use this identifier instead of a random one.") var clientID: String?
        @OptionGroup var options: CommonOptions

        func run() throws {
            var pem: String?
            if let rsaPublicKey {
                guard let text = ConfigurationSource.readTextFile(rsaPublicKey) else { throw CommandFailure("cannot read \(rsaPublicKey)") }
                pem = text
            }
            let client = try options.stores().clients.register(name: name, description: description, callbackURIs: callback,
                                                               rsaPublicKeyPEM: pem, allowsTwoLegged: twoLegged,
                                                               requiresBodyHash: requireBodyHash, identifier: clientID)
            try options.audit(.clientRegistered, client: client.identifier)
            emit(options.json ? ClientCommand.json(client, secret: true)
                              : "client_id=\(client.identifier)\nclient_secret=\(client.secret)")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one client, secret included.")
        @Argument var clientID: String
        @OptionGroup var options: CommonOptions

        func run() throws {
            guard let client = try options.stores().clients.record(identifier: clientID) else { throw CommandFailure("no client \(clientID)") }
            emit(options.json ? ClientCommand.json(client, secret: true)
                              : "client_id=\(client.identifier)\nclient_secret=\(client.secret)\nname=\(client.name)\ncallbacks=\(client.callbackURIs.joined(separator: " "))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List clients (secrets not shown).")
        @OptionGroup var options: CommonOptions

        func run() throws {
            emitList(try options.stores().clients.all(), json: options.json,
                     asJSON: { ClientCommand.json($0, secret: false) },
                     asLine: { "\($0.identifier)\t\($0.name)\t\(isoTime($0.createdAt))\($0.isDisabled ? "\tdisabled" : "")" })
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a client and every credential it holds.")
        @Argument var clientID: String
        @OptionGroup var options: CommonOptions

        func run() throws {
            guard try options.stores().clients.remove(identifier: clientID) else { throw CommandFailure("no client \(clientID)") }
            try options.audit(.clientDeleted, client: clientID)
            emit(options.json ? JSON.object([("removed", JSON.string(clientID))]) : "removed client \(clientID)")
        }
    }
}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Inspect and revoke token credentials.",
                                                    subcommands: [List.self, Revoke.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List token credentials (secrets not shown).")
        @Option(help: "Only this username's tokens.") var user: String?
        @OptionGroup var options: CommonOptions

        func run() throws {
            let stores = try options.stores()
            var userID: Int64?
            if let user {
                guard let record = try stores.users.user(username: user) else { throw CommandFailure("no user \(user)") }
                userID = record.id
            }
            emitList(try stores.tokenCredentials.all(userID: userID), json: options.json,
                     asJSON: { token in
                         JSON.object([("token", JSON.string(token.token)), ("client_id", JSON.string(token.clientIdentifier)),
                                      ("user_id", token.userID), ("scopes", "[" + token.scopes.map(JSON.string).joined(separator: ", ") + "]"),
                                      ("created", JSON.string(isoTime(token.createdAt))),
                                      ("last_used", token.lastUsedAt.map { JSON.string(isoTime($0)) } ?? "null"),
                                      ("revoked", token.isRevoked ? "true" : "false")])
                     },
                     asLine: { token in
                         "\(token.token)\tclient=\(token.clientIdentifier)\tuser=\(token.userID)\t\(isoTime(token.createdAt))\(token.isRevoked ? "\trevoked" : "")"
                     })
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token credential; its next request fails.")
        @Argument var token: String
        @OptionGroup var options: CommonOptions

        func run() throws {
            guard try options.stores().tokenCredentials.revoke(token: token) else { throw CommandFailure("no token credential \(token)") }
            try options.audit(.tokenRevoked, token: token)
            emit(options.json ? JSON.object([("revoked", JSON.string(token))]) : "revoked \(token)")
        }
    }
}

struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete expired nonces, temporary credentials and sessions now.")
    @OptionGroup var options: CommonOptions

    func run() throws {
        let report = try options.stores().purge()
        emit(options.json
             ? JSON.object([("nonces", String(report.nonces)), ("temporary_credentials", String(report.temporaryCredentials)),
                            ("sessions", String(report.sessions))])
             : "purged \(report.nonces) nonces, \(report.temporaryCredentials) temporary credentials, \(report.sessions) sessions")
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")
    @OptionGroup var options: CommonOptions

    func run() throws {
        let stores = try options.stores()
        let backend = stores.backend
        let version = try backend.schemaVersion()
        // The secrets key file is made here for a database that never sealed a secret (hosts of a PostgreSQL site never
        // make one themselves); then every secret still in clear is sealed.
        var created = false
        if let path = backend.secrets.keyFilePath, SecretsKeyFile.stamp(path) == nil, try !backend.holdsSealedSecrets() {
            created = try SecretsKeyFile.create(path)
        }
        let sealed = try backend.sealSecrets()
        let keyFile = backend.secrets.keyFilePath ?? ""
        if options.json {
            emit(JSON.object([("schema_version", String(version)), ("database", JSON.string(backend.location)),
                              ("secrets_key_file", JSON.string(keyFile)), ("secrets_key_created", String(created)),
                              ("secrets_sealed", String(sealed.total))]))
            return
        }
        emit("\(backend.location) is at schema version \(version)")
        if created { emit("created the secrets key file \(keyFile): keep it apart from database backups; every host of the site needs a copy") }
        if sealed.total > 0 {
            emit("sealed \(sealed.clients) client secrets, \(sealed.tokenCredentials) token secrets and \(sealed.temporaryCredentials) temporary secrets under \(keyFile)")
        }
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config",
                                                    abstract: "Print the effective configuration (secrets masked); fail on any invalid value.")
    @OptionGroup var options: CommonOptions

    func run() throws {
        let source = try options.source()
        let configuration = try AppConfiguration(source)
        let lines = AppConfiguration.describe(source)
        let unknown = configuration.unknownKeys
        if options.json {
            var members = lines.map { line in
                let parts = line.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), JSON.string(parts.count > 1 ? String(parts[1]) : ""))
            }
            if !unknown.isEmpty { members.append(("unknown_keys", "[" + unknown.map { JSON.string($0) }.joined(separator: ",") + "]")) }
            emit(JSON.object(members))
        } else {
            for line in lines { emit(line) }
            for key in unknown { emit("\(key) (unknown: not a setting of oauth1-fcgi)") }
        }
        // The workers only warn about these (other tools share the prefix); here a typo is looked for, so it fails.
        if !unknown.isEmpty {
            throw CommandFailure("\(unknown.joined(separator: ", ")) \(unknown.count == 1 ? "is not a setting" : "are not settings") of oauth1-fcgi; check the spelling, or ignore this if another program reads \(unknown.count == 1 ? "it" : "them")")
        }
    }
}
