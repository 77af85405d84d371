import Foundation
@testable import OAuth1Gateway
import ProviderCore
import ProviderStorage
import Testing

/// The CGI/FastCGI parameters the web server sends, turned into the URL the client signed: REQUEST_URI rather than a
/// rewritten QUERY_STRING, the Host header, the scheme and port the client used, `X-Forwarded-*` only from trusted proxies.
@Suite struct GatewayRequestDecoderTests {
    let decoder = GatewayRequestDecoder(trustedProxies: ["10.0.0.5"], maximumBodyBytes: 1024, configuredMountPath: nil)

    func decode(_ environment: [String: String], body: [UInt8] = []) throws(GatewayError) -> GatewayRequest {
        var base = ["REQUEST_METHOD": "GET", "REQUEST_URI": "/oauth/user", "SCRIPT_NAME": "/oauth", "HTTP_HOST": "api.example.com",
                    "SERVER_PORT": "80", "REMOTE_ADDR": "192.0.2.1"]
        base.merge(environment) { $1 }
        return try decoder.decode(environment: GatewayEnvironment(base), body: body)
    }

    @Test func urlComesFromRequestURIAndHostNotARewrittenQueryString() throws {
        let request = try decode(["REQUEST_URI": "/oauth/user?a=1&b=%20", "QUERY_STRING": "q=/oauth/user&a=1&b=%20"])
        #expect(request.http.url.absoluteString == "http://api.example.com/oauth/user?a=1&b=%20")
        #expect(request.route == "/user" && request.mountPath == "/oauth")
    }

    @Test func hostPortWinsElseServerPort() throws {
        #expect(try decode(["HTTP_HOST": "api.example.com:8443", "SERVER_PORT": "443", "HTTPS": "on"]).http.url.port == 8443)
        #expect(try decode(["HTTP_HOST": "api.example.com", "SERVER_PORT": "8080"]).http.url.port == 8080)
        #expect(try decode(["HTTP_HOST": "api.example.com", "SERVER_PORT": "443", "HTTPS": "on"]).http.url.port == nil)
        #expect(try decode(["HTTP_HOST": "[::1]:8080"]).http.url.host == "[::1]")
        #expect(try decode(["HTTPS": "on"]).http.url.scheme == "https")
        #expect(try decode(["REQUEST_SCHEME": "https"]).http.url.scheme == "https")
    }

    @Test func forwardedHeadersCountOnlyFromTrustedProxies() throws {
        let forwarded = ["HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "public.example.com", "HTTP_X_FORWARDED_PORT": "443"]
        let untrusted = try decode(forwarded)
        #expect(untrusted.http.url.scheme == "http" && untrusted.http.url.host == "api.example.com")
        var fromProxy = forwarded
        fromProxy["REMOTE_ADDR"] = "10.0.0.5"
        let trusted = try decode(fromProxy)
        #expect(trusted.http.url.absoluteString == "https://public.example.com/oauth/user")
        fromProxy["HTTP_X_FORWARDED_PROTO"] = "gopher"
        #expect(throws: GatewayError.self) { try decode(fromProxy) }
    }

    /// Sign-in limits count the client behind a trusted proxy, never an address the client wrote itself.
    @Test func remoteAddressFollowsXForwardedForOnlyFromTrustedProxies() throws {
        #expect(try decode(["REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.9"]).http.remoteAddress == "203.0.113.9")
        #expect(try decode(["REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9, 10.0.0.5"]).http.remoteAddress == "203.0.113.9")
        #expect(try decode(["REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"]).http.remoteAddress == "192.0.2.1")
        #expect(try decode(["REMOTE_ADDR": "10.0.0.5"]).http.remoteAddress == "10.0.0.5")
    }

    @Test func authorizationArrivesFromEitherVariable() throws {
        #expect(try decode(["HTTP_AUTHORIZATION": "OAuth a=\"1\""]).http.headers["Authorization"] == "OAuth a=\"1\"")
        #expect(try decode(["REDIRECT_HTTP_AUTHORIZATION": "OAuth b=\"2\""]).http.headers["Authorization"] == "OAuth b=\"2\"")
        #expect(try decode(["HTTP_X_FORWARDED_FOR": "x"]).http.headers["X-Forwarded-For"] == "x")
    }

    /// libfcgi's parameters, read straight from their C strings, decode as the same variables in a dictionary do: the later
    /// of two equal names wins, HTTP_PROXY is dropped, and the headers come in variable-name order either way.
    @Test func rawParametersDecodeLikeADictionary() throws {
        let entries = ["REQUEST_METHOD=GET", "REQUEST_URI=/oauth/user?a=1", "SCRIPT_NAME=/oauth", "HTTP_HOST=api.example.com",
                       "SERVER_PORT=80", "REMOTE_ADDR=192.0.2.1", "HTTP_X_B=2", "HTTP_X_A=1", "HTTP_PROXY=http://proxy.example",
                       "HTTP_X_A=3", "NO_VALUE", "DOCUMENT_ROOT=/srv", "HTTP_AUTHORIZATION=OAuth a=\"1=2\"", "REQUEST_METHOD=POST"]
        let pointers = entries.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        let raw = try pointers.withUnsafeBufferPointer { try decoder.decode(environment: GatewayEnvironment(cStrings: $0.baseAddress), body: []) }
        var dictionary = [String: String]()
        for entry in entries {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            dictionary[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        let fromDictionary = try decoder.decode(environment: GatewayEnvironment(dictionary), body: [])
        #expect(raw.http.headers.fields.map(\.name) == ["Authorization", "Host", "X-A", "X-B"])
        #expect(raw.http.headers == fromDictionary.http.headers)
        #expect(raw.http.headers["X-A"] == "3" && raw.http.headers["Authorization"] == "OAuth a=\"1=2\"")
        #expect(raw.http.method == "POST" && fromDictionary.http.method == "POST")
        #expect(raw.http.url == fromDictionary.http.url && raw.route == fromDictionary.route && raw.mountPath == fromDictionary.mountPath)
    }

    /// A header value may hold a tab, but no other control character (DEL included).
    @Test func controlCharactersAreThoseBelowSpaceExceptTabAndDelete() {
        #expect(!GatewayRequestDecoder.containsControlCharacter("OAuth\trealm=\"x\",\toauth_nonce=\"\u{7E}\u{80}\""))
        #expect(GatewayRequestDecoder.containsControlCharacter("OAuth\trealm=\"x\",\toauth_nonce=\"\u{7F}\""))
        #expect(GatewayRequestDecoder.containsControlCharacter("a\u{0}b") && GatewayRequestDecoder.containsControlCharacter("\r\n"))
    }

    /// Hosts as the Host header gives them: a name or bracketed IPv6 literal, and a port in 1...65535 when one is given.
    @Test func authorityIsAHostAndAnOptionalPort() {
        #expect(GatewayRequestDecoder.authority("a.example:8080").map { [$0.host, String(describing: $0.port)] } == ["a.example", "Optional(8080)"])
        #expect(GatewayRequestDecoder.authority("[::1]:8443")?.port == 8443)
        #expect(GatewayRequestDecoder.authority("a.example")?.port == nil)
        for refused in ["a:65536", "a:123456", "a~b", "a@b", "a b", "", String(repeating: "h", count: 254), "a:b"] {
            #expect(GatewayRequestDecoder.authority(refused) == nil, "\(refused)")
        }
    }

    /// A target splits at its first `?` and loses its fragment; a route is the path below the mount, whole segments only.
    @Test func targetsAndRoutesSplit() throws {
        #expect(try GatewayRequestDecoder.splitTarget("/oauth/user?a=1?b#frag?c") == ("/oauth/user", "a=1?b"))
        #expect(try GatewayRequestDecoder.splitTarget("/a#b?c") == ("/a", nil))
        #expect(try GatewayRequestDecoder.splitTarget("/?") == ("/", ""))
        #expect(try GatewayRequestDecoder.splitTarget("/x#caf\u{E9}") == ("/x", nil))
        #expect(try GatewayRequestDecoder.splitTarget("http://h.example/p?q") == ("/p", "q"))
        #expect(throws: GatewayError.self) { try GatewayRequestDecoder.splitTarget("/caf\u{E9}") }
        #expect(throws: GatewayError.self) { try GatewayRequestDecoder.splitTarget("/\u{301}x") }
        #expect(GatewayRequestDecoder.route("/oauth", below: "/oauth") == "/")
        #expect(GatewayRequestDecoder.route("/oauth/user", below: "/oauth") == "/user")
        #expect(GatewayRequestDecoder.route("/oauthuser", below: "/oauth") == "/oauthuser")
        #expect(GatewayRequestDecoder.route("/oauth/caf\u{E9}", below: "/oauth") == "/caf\u{E9}")
        // A combining mark after the `/` makes one Character with it: the mount is then no whole-segment prefix.
        #expect(GatewayRequestDecoder.route("/oauth/\u{301}x", below: "/oauth") == "/oauth/\u{301}x")
        #expect(GatewayRequestDecoder.route("", below: "") == "/")
        #expect(GatewayRequestDecoder.mountPath(scriptName: "/oauth//", path: "/oauth/user") == "/oauth")
    }

    @Test func malformedInputIsRefusedWithASentence() {
        let cases: [([String: String], Int)] = [
            (["HTTP_HOST": "bad host"], 400),
            (["HTTP_HOST": "api.example.com:99999"], 400),
            (["HTTP_HOST": "user@api.example.com"], 400),
            (["REQUEST_URI": "/oauth/us er"], 400),
            (["REQUEST_URI": "/oauth/%zz"], 400),
            (["REQUEST_URI": "oauth/user"], 400),
            (["REQUEST_METHOD": "GE T"], 400),
            (["HTTP_AUTHORIZATION": "OAuth a=\"1\"\u{01}"], 400),
            (["SERVER_PORT": "eighty", "HTTP_HOST": "api.example.com"], 400),
        ]
        for (environment, status) in cases {
            do {
                _ = try decode(environment)
                Issue.record("accepted \(environment)")
            } catch {
                #expect(error.status == status)
                #expect(error.message.hasSuffix("."))
            }
        }
    }

    @Test func contentLengthIsCheckedBeforeReading() throws {
        #expect(try decoder.contentLength(["CONTENT_LENGTH": "512"]) == 512)
        #expect(try decoder.contentLength([:]) == 0)
        #expect(throws: GatewayError(status: 413, message: "The request body is 2048 bytes; the limit is 1024.")) {
            try decoder.contentLength(["CONTENT_LENGTH": "2048"])
        }
        #expect(throws: GatewayError.self) { try decoder.contentLength(["CONTENT_LENGTH": "-1"]) }
        #expect(throws: GatewayError.self) { try decoder.contentLength(["CONTENT_LENGTH": "99999999999999999999"]) }
    }

    @Test func mountPathComesFromScriptNameOrConfiguration() throws {
        #expect(try decode(["SCRIPT_NAME": "", "REQUEST_URI": "/initiate"]).route == "/initiate")
        #expect(try decode(["SCRIPT_NAME": "/cgi-bin/oauth1-fcgi", "REQUEST_URI": "/cgi-bin/oauth1-fcgi/token"]).route == "/token")
        #expect(try decode(["SCRIPT_NAME": "/other", "REQUEST_URI": "/oauth/token"]).route == "/oauth/token")
        let configured = GatewayRequestDecoder(trustedProxies: [], maximumBodyBytes: 10, configuredMountPath: "/api/oauth")
        let request = try configured.decode(environment: ["REQUEST_METHOD": "POST", "REQUEST_URI": "/api/oauth/initiate", "HTTP_HOST": "h"], body: [])
        #expect(request.route == "/initiate" && request.mountPath == "/api/oauth")
    }

    /// Found by fuzzing (Tests/fuzz/regressions/gateway-environment): a configured mount path matches whole path segments only.
    @Test func configuredMountPathMatchesWholeSegmentsOnly() throws {
        let configured = GatewayRequestDecoder(trustedProxies: [], maximumBodyBytes: 10, configuredMountPath: "/oauth")
        let request = try configured.decode(environment: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/oauthinitiate", "HTTP_HOST": "h"], body: [])
        #expect(request.route == "/oauthinitiate")
        #expect(try configured.decode(environment: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/oauth", "HTTP_HOST": "h"], body: []).route == "/")
    }

    /// Shared hosting's rewrite: /oauth/token runs /oauth/oauth1.cgi with PATH_INFO=/token.
    @Test func mountPathComesFromPathInfoWhenARewriteHidesTheScript() throws {
        let rewritten = try decode(["SCRIPT_NAME": "/oauth/oauth1.cgi", "PATH_INFO": "/token", "REQUEST_URI": "/oauth/token?x=1"])
        #expect(rewritten.route == "/token" && rewritten.mountPath == "/oauth")
        #expect(try decode(["SCRIPT_NAME": "/oauth/oauth1.cgi", "PATH_INFO": "/", "REQUEST_URI": "/oauth/"]).route == "/")
        #expect(try decode(["SCRIPT_NAME": "/oauth/oauth1.cgi", "PATH_INFO": "/other", "REQUEST_URI": "/oauth/token"]).route == "/oauth/token")
        // A PATH_INFO outside ASCII: the mount is cut by bytes, not by characters.
        let accented = try decode(["SCRIPT_NAME": "/oauth/oauth1.cgi", "PATH_INFO": "/caf\u{E9}", "REQUEST_URI": "/oauth/caf%C3%A9"])
        #expect(accented.route == "/caf\u{E9}" && accented.mountPath == "/oauth", "\(accented.mountPath)")
    }

    @Test func fastCGIRoleSelectsAuthorizerAndItsScopes() throws {
        #expect(try decode([:]).role == .responder)
        #expect(try decode(["FCGI_ROLE": "RESPONDER"]).role == .responder)
        #expect(try decode(["FCGI_ROLE": "AUTHORIZER", "OAUTH_REQUIRED_SCOPE": "photos.read  profile"]).role
                == .authorizer(requiredScopes: ["photos.read", "profile"], allowsTwoLegged: false))
        #expect(try decode(["FCGI_ROLE": "AUTHORIZER", "OAUTH_ALLOW_TWO_LEGGED": "on"]).role == .authorizer(requiredScopes: [], allowsTwoLegged: true))
        #expect(throws: GatewayError.self) { try decode(["FCGI_ROLE": "FILTER"]) }
    }
}

/// Settings from the environment and an OAUTH1_CONFIG file; an invalid value names its key.
@Suite struct ConfigurationTests {
    @Test func defaultsMatchTheSeed() throws {
        let configuration = try AppConfiguration(ConfigurationSource(values: [:], file: nil))
        #expect(configuration.provider.tokenLength == 42 && configuration.provider.tokenSecretLength == 48)
        #expect(configuration.provider.supportedSignatureMethods == ["HMAC-SHA1"])
        #expect(!configuration.allowsInsecureTransport)
        #expect(configuration.dataDirectory == "var")
    }

    @Test func fileIsReadAndEnvironmentWins() throws {
        let values = try ConfigurationSource.parse("""
            # a comment
            OAUTH1_TOKEN_LENGTH = 30
            OAUTH1_SITE_NAME="Example Photos"
            OAUTH1_SUPPORTED_SIGNATURE_METHODS=HMAC-SHA1, RSA-SHA1
            """, name: "test.conf")
        var merged = values
        merged["OAUTH1_TOKEN_LENGTH"] = "20"
        let configuration = try AppConfiguration(ConfigurationSource(values: merged, file: "test.conf"))
        #expect(configuration.provider.tokenLength == 20)
        #expect(configuration.siteName == "Example Photos")
        #expect(configuration.provider.supportedSignatureMethods == ["HMAC-SHA1", "RSA-SHA1"])
    }

    @Test func nonceBackendIsTheTableUnlessSQLiteIsChosen() throws {
        #expect(try AppConfiguration(ConfigurationSource(values: [:], file: nil)).storage.expiring == .table)
        #expect(try AppConfiguration(ConfigurationSource(values: ["OAUTH1_NONCES": "sqlite"], file: nil)).storage.expiring == .sqlite)
    }

    @Test func databaseAndRedisURLsChooseTheBackends() throws {
        func storage(_ values: [String: String]) throws -> StorageConfiguration {
            try AppConfiguration(ConfigurationSource(values: values, file: nil)).storage
        }
        #expect(try storage(["OAUTH1_DATA_DIR": "/srv/oauth"]) == StorageConfiguration(dataDirectory: "/srv/oauth"))
        let socketURL = "postgresql://oauth1@/oauth1?host=/run/postgresql"
        let keyFile = "/etc/oauth1-fcgi/secrets.key"
        #expect(try storage(["OAUTH1_DATABASE_URL": socketURL, "OAUTH1_SECRETS_KEY_FILE": keyFile]).data == .postgresql(url: socketURL))
        #expect(try storage(["OAUTH1_DATABASE_URL": socketURL, "OAUTH1_SECRETS_KEY_FILE": keyFile]).expiring == .database)
        #expect(try storage(["OAUTH1_DATABASE_URL": socketURL, "OAUTH1_SECRETS_KEY_FILE": keyFile]).secretsKeyFile == keyFile)
        #expect(try storage(["OAUTH1_DATA_DIR": "/srv/oauth"]).secretsKeyFile == nil, "SQLite's default: secrets.key in the data directory")
        #expect(try storage(["OAUTH1_DATABASE_URL": "postgres://db/x", "OAUTH1_REDIS_URL": "unix:///run/redis.sock?db=2",
                             "OAUTH1_SECRETS_KEY_FILE": keyFile]).expiring == .redis(url: "unix:///run/redis.sock?db=2"))
        #expect(try storage(["OAUTH1_REDIS_URL": "redis://cache:6380/1"]) ==
                StorageConfiguration(data: .sqlite(dataDirectory: "var"), expiring: .redis(url: "redis://cache:6380/1")))
    }

    @Test(arguments: [
        (["OAUTH1_DATABASE_URL": "mysql://root:hunter2@db/x"], "OAUTH1_DATABASE_URL is 'mysql://root:***@db/x'; use a postgresql:// URI"),
        (["OAUTH1_DATABASE_URL": "postgresql://db/x", "OAUTH1_NONCES": "table"], "OAUTH1_NONCES applies to SQLite only"),
        (["OAUTH1_REDIS_URL": "redis://:hunter2@cache:99999"], "OAUTH1_REDIS_URL is 'redis://:***@cache:99999': the port must be"),
        (["OAUTH1_REDIS_URL": "unix://redis.sock"], "OAUTH1_REDIS_URL is 'unix://redis.sock': a unix socket path must be absolute"),
        (["OAUTH1_REDIS_URL": "redis://cache", "OAUTH1_NONCES": "sqlite"], "OAUTH1_NONCES does not apply when OAUTH1_REDIS_URL is set"),
        (["OAUTH1_DATABASE_URL": "postgresql://me:hunter2@db/x"], "OAUTH1_SECRETS_KEY_FILE is empty; with PostgreSQL it must name"),
        (["OAUTH1_SECRETS_KEY_FILE": "secrets.key"], "OAUTH1_SECRETS_KEY_FILE is 'secrets.key'; give an absolute path"),
    ])
    func badStorageSettingsAreRefusedWithoutTheirPasswords(_ values: [String: String], _ start: String) {
        let error = #expect(throws: ConfigurationError.self) { try AppConfiguration(ConfigurationSource(values: values, file: nil)) }
        #expect(error?.description.hasPrefix(start) == true, "\(error?.description ?? "no error")")
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test(arguments: ["sqlite", "file:cache", ""])
    func removedCacheSettingIsRefusedWithWhatReplacedIt(_ value: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try AppConfiguration(ConfigurationSource(values: ["OAUTH1_CACHE": value], file: nil))
        }
        #expect(error?.description == "OAUTH1_CACHE was removed: nonces and temporary credentials live in the data directory; OAUTH1_NONCES=table|sqlite chooses where nonces go.")
    }

    @Test func seedsInsecureTransportNameIsAccepted() throws {
        #expect(try AppConfiguration(ConfigurationSource(values: ["AUTHLIB_INSECURE_TRANSPORT": "true"], file: nil)).allowsInsecureTransport)
    }

    @Test(arguments: [
        ("OAUTH1_TOKEN_LENGTH", "5"), ("OAUTH1_TOKEN_SECRET_LENGTH", "many"), ("OAUTH1_SUPPORTED_SIGNATURE_METHODS", "HMAC-MD5"),
        ("OAUTH1_INSECURE_TRANSPORT", "maybe"), ("OAUTH1_CACHE", "redis"), ("OAUTH1_MOUNT_PATH", "oauth/"), ("OAUTH1_LOG_LEVEL", "loud"),
        ("OAUTH1_SCOPES", "a b=Two words"), ("OAUTH1_TIMESTAMP_WINDOW", "0"),
        ("OAUTH1_SCOPES", "="), ("OAUTH1_SCOPES", "=Nameless"),  // "=" stopped the process before fuzzing found it
        ("OAUTH1_NONCES", "files"),
    ])
    func invalidValueNamesItsKey(_ key: String, _ value: String) {
        do {
            _ = try AppConfiguration(ConfigurationSource(values: [key: value], file: nil))
            Issue.record("\(key)=\(value) was accepted")
        } catch {
            #expect(error.key == key)
        }
    }

    @Test func malformedFileLineIsReported() {
        #expect(throws: ConfigurationError.self) { try ConfigurationSource.parse("OAUTH1_TOKEN_LENGTH\n", name: "x.conf") }
        #expect(throws: ConfigurationError.self) { try ConfigurationSource.parse("lower=1\n", name: "x.conf") }
    }

    @Test func scopesParse() throws {
        let scopes = try AppConfiguration.parseScopes("photos.read=See your photos; photos.write = Upload photos ;")
        #expect(scopes.map(\.name) == ["photos.read", "photos.write"])
        #expect(scopes.map(\.description) == ["See your photos", "Upload photos"])
    }
}

/// The configuration reference (docs/configuration.md) lists every setting the binary reads.
@Suite struct ConfigurationDocumentationTests {
    @Test func configurationReferenceDocumentsEverySetting() throws {
        let reference = try String(contentsOf: ProcessRunner.repository.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        for setting in AppConfiguration.settings {
            #expect(reference.contains("| `\(setting.key)` |"), "docs/configuration.md lacks \(setting.key)")
        }
    }

    /// The README stays the front door: short, and linking every topic document in docs/.
    @Test func readmeIsShortAndLinksEveryDocument() throws {
        let readme = try String(contentsOf: ProcessRunner.repository.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.split(separator: "\n", omittingEmptySubsequences: false).count <= 200)
        let documents = try FileManager.default.contentsOfDirectory(atPath: ProcessRunner.repository.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") && $0 != "packaging.md" }
        #expect(documents.count >= 12)
        for document in documents {
            #expect(readme.contains("](docs/\(document))"), "README does not link docs/\(document)")
        }
    }
}
