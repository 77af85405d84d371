import Foundation
import ProviderCore
import Testing

/// Vectors signed by an independent client (Python oauthlib, RSA keys from the openssl CLI; see Fixtures/README.md):
/// ProviderCore must rebuild each base string byte for byte and accept each signature.
@Suite struct SignatureVectorTests {
    struct Vector: Decodable, CustomTestStringConvertible, Sendable {
        let name: String
        let method: String
        let url: String
        let headers: [[String]]
        let body: String
        let client_key: String
        let client_secret: String
        let token: String
        let token_secret: String
        let signature_method: String
        let rsa_key: String?
        let base_string: String
        let signature: String

        var testDescription: String { name }

        var request: HTTPRequest {
            HTTPRequest(method: method, url: RequestURL(url)!,
                        headers: HTTPHeaders(headers.map { ($0[0], $0[1]) }), body: Array(body.utf8))
        }
    }

    struct File: Decodable { let produced_by: String; let vectors: [Vector] }

    static let vectors: [Vector] = {
        guard let data = try? Data(contentsOf: fixturesDirectory.appendingPathComponent("signature-vectors.json")),
              let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.vectors
    }()

    static func input(_ vector: Vector, baseString: String, keyForm: String = "spki") throws -> SignatureInput {
        let key = try vector.rsa_key.map { try RSAPublicKey(pem: try fixture("\($0)-\(keyForm).pem")) }
        return SignatureInput(baseString: baseString, signature: vector.signature, clientSecret: vector.client_secret,
                              tokenSecret: vector.token_secret, rsaPublicKey: key)
    }

    @Test func fixtureCoversEveryBuiltInMethod() {
        #expect(Self.vectors.count >= 40)
        let methods = Set(Self.vectors.map(\.signature_method))
        #expect(methods == ["HMAC-SHA1", "HMAC-SHA256", "HMAC-SHA512", "PLAINTEXT", "RSA-SHA1", "RSA-SHA256"])
    }

    @Test(arguments: vectors)
    func baseStringMatchesIndependentClient(_ vector: Vector) throws {
        let request = vector.request
        let parameters = try RequestParameters(request)
        #expect(SignatureBaseString.make(request: request, parameters: parameters) == vector.base_string)
        #expect(parameters[protocolParameter: "oauth_signature"] == vector.signature)
    }

    @Test(arguments: vectors)
    func signatureFromIndependentClientVerifies(_ vector: Vector) throws {
        let method = try #require(SignatureMethodRegistry.builtIn[vector.signature_method])
        let forms = vector.rsa_key == nil ? ["spki"] : ["spki", "pkcs1", "cert"]
        for form in forms {
            #expect(method.verify(try Self.input(vector, baseString: vector.base_string, keyForm: form)), "key form \(form)")
        }
    }

    /// Any change to the base string, the signature or a secret makes verification fail.
    @Test(arguments: vectors)
    func alteredInputsFail(_ vector: Vector) throws {
        let method = try #require(SignatureMethodRegistry.builtIn[vector.signature_method])
        let good = try Self.input(vector, baseString: vector.base_string)
        if vector.signature_method != "PLAINTEXT" {
            var base = Array(vector.base_string.utf8)
            for index in stride(from: 0, to: base.count, by: max(1, base.count / 24)) {
                let original = base[index]
                base[index] = original == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
                let changed = SignatureInput(baseString: String(decoding: base, as: UTF8.self), signature: good.signature,
                                             clientSecret: good.clientSecret, tokenSecret: good.tokenSecret, rsaPublicKey: good.rsaPublicKey)
                #expect(!method.verify(changed), "base string byte \(index) changed")
                base[index] = original
            }
        }
        var signature = Array(vector.signature.utf8)
        for index in signature.indices {
            let original = signature[index]
            signature[index] = original == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let changed = SignatureInput(baseString: good.baseString, signature: String(decoding: signature, as: UTF8.self),
                                         clientSecret: good.clientSecret, tokenSecret: good.tokenSecret, rsaPublicKey: good.rsaPublicKey)
            if method.verify(changed) {
                // Only a change inside base64 padding bits could keep the bytes; the strict decoder refuses those.
                Issue.record("signature byte \(index) changed and still verified")
            }
            signature[index] = original
        }
        if vector.rsa_key == nil {
            let wrongSecret = SignatureInput(baseString: good.baseString, signature: good.signature,
                                             clientSecret: good.clientSecret + "x", tokenSecret: good.tokenSecret, rsaPublicKey: nil)
            #expect(!method.verify(wrongSecret))
        } else {
            let otherKey = try RSAPublicKey(pem: try fixture(vector.rsa_key == "rsa2048" ? "rsa1024-spki.pem" : "rsa2048-spki.pem"))
            let wrongKey = SignatureInput(baseString: good.baseString, signature: good.signature,
                                          clientSecret: "", tokenSecret: "", rsaPublicKey: otherKey)
            #expect(!method.verify(wrongKey))
        }
    }
}

/// oauth_body_hash (the Request Body Hash extension): the oauthlib-signed PUT with a JSON body verifies; a changed body fails.
@Suite struct BodyHashTests {
    @Test func jsonBodyHashFromIndependentClientIsChecked() throws {
        let vector = try #require(SignatureVectorTests.vectors.first { $0.name.contains("oauth_body_hash") })
        let provider = TestProvider(configure: { $0.allowsInsecureTransport = true })
        try provider.tokens.save(TokenCredential(token: vector.token, secret: vector.token_secret, clientIdentifier: vector.client_key,
                                                 userID: "user-1", createdAt: 1_699_999_000))
        var tampered = vector.request
        tampered.body = Array((vector.body + " ").utf8)
        expectOAuthError(.signatureInvalid) { try provider.protector.validateRequest(tampered) }
        #expect(try provider.protector.validateRequest(vector.request).userID == "user-1")
    }
}
