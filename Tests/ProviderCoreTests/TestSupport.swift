import Foundation
import ProviderCore
import Synchronization
import Testing

/// A clock the test sets.
final class TestClock: EpochClock {
    private let time: Mutex<Int64>
    init(_ time: Int64) { self.time = Mutex(time) }
    func now() -> Int64 { time.withLock { $0 } }
    func set(_ value: Int64) { time.withLock { $0 = value } }
    func advance(_ seconds: Int64) { time.withLock { $0 += seconds } }
}

/// Random bytes taken from a script, then repeating the last; lets a test pick the exact verifier.
final class ScriptedRandom: RandomSource {
    private let bytes: Mutex<[UInt8]>
    init(_ bytes: [UInt8]) { self.bytes = Mutex(bytes) }
    func fill(_ buffer: inout [UInt8]) {
        bytes.withLock { script in
            for index in buffer.indices {
                buffer[index] = script.isEmpty ? 0 : script.removeFirst()
            }
        }
    }
    /// The bytes that make CredentialGenerator emit exactly this text.
    static func bytes(spelling text: String) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return text.utf8.map { UInt8(alphabet.firstIndex(of: $0)!) }
    }
}

/// Hands out a fixed list of token pairs in order.
final class TokenScript: Sendable {
    private let pairs: Mutex<[(String, String)]>
    init(_ pairs: [(String, String)]) { self.pairs = Mutex(pairs) }
    var generator: TokenGenerator {
        { [self] in
            pairs.withLock { list in
                let pair = list.isEmpty ? ("exhausted", "exhausted") : list.removeFirst()
                return (token: pair.0, secret: pair.1)
            }
        }
    }
}

/// Runs `body` and checks that it throws an OAuthError with this code.
@discardableResult
func expectOAuthError<T>(_ code: OAuthError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                         _ body: () throws -> T) -> OAuthError? {
    do {
        let value = try body()
        Issue.record("expected \(code.rawValue), got success: \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as OAuthError {
        #expect(error.code == code, "expected \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Where a test client puts its protocol parameters.
enum SignatureLocation { case header, query, body }

/// A test-side client that signs with ProviderCore's base string and OpenSSL's HMAC. Independent checks of these
/// primitives live in SignatureVectorTests (oauthlib-made vectors) and RFC5849ExampleTests (the RFC's own values).
struct TestClient {
    var key = "dpf43f3p2l4k3l03"
    var secret = "kd94hf93k423kf44"
    var method = "HMAC-SHA1"

    func sign(_ httpMethod: String, _ url: String, token: String? = nil, tokenSecret: String = "",
              parameters: [Parameter] = [], oauth extra: [Parameter] = [], timestamp: Int64, nonce: String,
              location: SignatureLocation = .header, realm: String? = nil) -> HTTPRequest {
        var oauth = [Parameter("oauth_consumer_key", key), Parameter("oauth_signature_method", method),
                     Parameter("oauth_timestamp", String(timestamp)), Parameter("oauth_nonce", nonce),
                     Parameter("oauth_version", "1.0")]
        if let token { oauth.append(Parameter("oauth_token", token)) }
        oauth += extra
        let requestURL = RequestURL(url)!
        let queryParameters = (try? FormURLEncoding.parse(requestURL.rawQuery ?? "")) ?? []
        let base = SignatureBaseString.make(method: httpMethod, url: requestURL, parameters: queryParameters + parameters + oauth)
        let signingKey = PercentEncoding.encode(secret) + "&" + PercentEncoding.encode(tokenSecret)
        let signature: String
        switch method {
        case "PLAINTEXT": signature = signingKey
        case "HMAC-SHA256": signature = Base64.encode(HMAC.authenticationCode(.sha256, key: signingKey, message: base))
        default: signature = Base64.encode(HMAC.authenticationCode(.sha1, key: signingKey, message: base))
        }
        oauth.append(Parameter("oauth_signature", signature))

        var finalURL = requestURL
        var headers = HTTPHeaders()
        var body = parameters
        switch location {
        case .header:
            var fields = oauth.map { "\(PercentEncoding.encode($0.name))=\"\(PercentEncoding.encode($0.value))\"" }
            if let realm { fields.insert("realm=\"\(realm)\"", at: 0) }
            headers.add("Authorization", "OAuth " + fields.joined(separator: ", "))
        case .query:
            let extraQuery = FormURLEncoding.serialize(oauth)
            finalURL.rawQuery = (finalURL.rawQuery.map { $0 + "&" } ?? "") + extraQuery
        case .body:
            body += oauth
        }
        if !body.isEmpty { headers.add("Content-Type", "application/x-www-form-urlencoded") }
        return HTTPRequest(method: httpMethod, url: finalURL, headers: headers, body: Array(FormURLEncoding.serialize(body).utf8))
    }
}

/// A provider over in-memory stores with one client, a fixed clock and injectable settings.
struct TestProvider {
    let clock: TestClock
    let clients: InMemoryClientStore
    let temporary = InMemoryTemporaryCredentialStore()
    let tokens = InMemoryTokenCredentialStore()
    let nonces = InMemoryNonceStore()
    let server: AuthorizationServer
    let protector: ResourceProtector
    let client = TestClient()

    init(now: Int64 = 1_700_000_000, configure: (inout ProviderConfiguration) -> Void = { _ in },
         clients extra: [Client] = [], registry: SignatureMethodRegistry = .builtIn,
         random: any RandomSource = SystemRandomSource(), tokenGenerator: TokenGenerator? = nil) {
        var configuration = ProviderConfiguration()
        configuration.supportedSignatureMethods = ["HMAC-SHA1", "PLAINTEXT", "HMAC-SHA256", "RSA-SHA1"]
        configure(&configuration)
        clock = TestClock(now)
        clients = InMemoryClientStore([Client(identifier: "dpf43f3p2l4k3l03", secret: "kd94hf93k423kf44", name: "Printer")] + extra)
        server = try! AuthorizationServer(configuration: configuration, clients: clients, temporaryCredentials: temporary,
                                          tokenCredentials: tokens, nonces: nonces, signatureMethods: registry,
                                          clock: clock, random: random, tokenGenerator: tokenGenerator)
        protector = try! ResourceProtector(configuration: configuration, clients: clients, tokenCredentials: tokens,
                                           nonces: nonces, signatureMethods: registry, clock: clock)
    }

    private static let counter = Atomic<Int>(0)
    /// A nonce no other request in this process used.
    static func freshNonce() -> String { "n\(counter.add(1, ordering: .relaxed).newValue)" }

    /// Runs initiate, authorize as `user`, and token; returns the token credential.
    func completeFlow(user: String = "user-1", callback: String = "https://printer.example.com/ready",
                      extra: [Parameter] = []) throws -> TokenCredential {
        let now = clock.now()
        let initiate = client.sign("POST", "https://photos.example.net/initiate", parameters: extra,
                                   oauth: [Parameter("oauth_callback", callback)], timestamp: now, nonce: Self.freshNonce())
        let temporary = try server.issueTemporaryCredential(initiate)
        let decision = try server.authorize(token: temporary.token, userID: user)
        let verifier: String
        switch decision {
        case .redirect(let url):
            let query = RequestURL(url)!.rawQuery!
            verifier = try FormURLEncoding.parse(query).first { $0.name == "oauth_verifier" }!.value
        case .outOfBand(let code): verifier = code
        case .denied: throw OAuthError(.tokenRejected, "denied")
        }
        let exchange = client.sign("POST", "https://photos.example.net/token", token: temporary.token, tokenSecret: temporary.secret,
                                   oauth: [Parameter("oauth_verifier", verifier)], timestamp: now, nonce: Self.freshNonce())
        return try server.issueTokenCredential(exchange)
    }
}

/// The directory holding the committed fixtures.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// A committed fixture file's text.
func fixture(_ name: String) throws -> String {
    try String(contentsOf: fixturesDirectory.appendingPathComponent(name), encoding: .utf8)
}
