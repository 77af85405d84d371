import ProviderCore
import Testing

/// Registered RSA keys: the three PEM forms, size limits, and refusal of what is not an RSA public key (a private key, another key type, a size out of range).
@Suite struct RSAPublicKeyTests {
    @Test(arguments: ["rsa2048-spki.pem", "rsa2048-pkcs1.pem", "rsa2048-cert.pem", "rsa1024-spki.pem", "rsa1024-pkcs1.pem", "rsa1024-cert.pem"])
    func acceptsEveryPEMForm(_ name: String) throws {
        let key = try RSAPublicKey(pem: try fixture(name))
        #expect(key.bits == (name.hasPrefix("rsa2048") ? 2048 : 1024))
        let expected: RSAPublicKey.Format = name.hasSuffix("spki.pem") ? .subjectPublicKeyInfo : name.hasSuffix("pkcs1.pem") ? .pkcs1 : .certificate
        #expect(key.format == expected)
    }

    @Test func acceptsPEMWithSurroundingTextAndCRLF() throws {
        let pem = try fixture("rsa2048-cert.pem").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try RSAPublicKey(pem: "Subject: CN=test\r\n" + pem + "\r\ntrailing notes").bits == 2048)
    }

    /// Pasted keys: indented lines, lines ended by a bare carriage return, and an encrypted private key's headers.
    @Test func readsIndentedAndCarriageReturnPEM() throws {
        let pem = try fixture("rsa2048-spki.pem")
        #expect(try RSAPublicKey(pem: pem.split(separator: "\n").map { "    " + $0 + " \t" }.joined(separator: "\n")).bits == 2048)
        #expect(try RSAPublicKey(pem: pem.replacingOccurrences(of: "\n", with: "\r")).bits == 2048)
        let encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"
        #expect(throws: RSAKeyError.privateKey) { try RSAPublicKey(pem: encrypted) }
        let block = PEMBlock.first(in: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
        #expect(block?.label == "PUBLIC KEY" && block?.der == [0, 0, 0])
        #expect(PEMBlock.first(in: "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----") == nil)
        #expect(PEMBlock.first(in: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PRIVATE KEY-----") == nil)
    }

    @Test func refusesSmallNonRSAPrivateAndBrokenKeys() throws {
        #expect(throws: RSAKeyError.badSize(512)) { try RSAPublicKey(pem: try fixture("rsa512-spki.pem")) }
        #expect(throws: RSAKeyError.notRSA) { try RSAPublicKey(pem: try fixture("ec-p256-spki.pem")) }
        #expect(throws: RSAKeyError.notPEM) { try RSAPublicKey(pem: "ssh-rsa AAAAB3Nza... user@host") }
        #expect(throws: RSAKeyError.privateKey) { try RSAPublicKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----") }
        #expect(throws: RSAKeyError.unsupportedLabel("DH PARAMETERS")) { try RSAPublicKey(pem: "-----BEGIN DH PARAMETERS-----\nAAAA\n-----END DH PARAMETERS-----") }
        let truncated = try fixture("rsa2048-spki.pem").split(separator: "\n").enumerated().filter { $0.offset != 3 }.map(\.element).joined(separator: "\n")
        #expect(throws: RSAKeyError.self) { try RSAPublicKey(pem: truncated) }
        #expect(throws: RSAKeyError.undecodable("SubjectPublicKeyInfo")) { try RSAPublicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----") }
        #expect(RSAKeyError.badSize(512).description.contains("1024"))
    }

    @Test func cacheParsesOncePerPEM() throws {
        let cache = RSAPublicKeyCache()
        let pem = try fixture("rsa2048-spki.pem")
        let first = try cache.key(forPEM: pem)
        let second = try cache.key(forPEM: pem)
        #expect(first === second)
        #expect(try cache.key(forPEM: try fixture("rsa2048-pkcs1.pem")) !== first)
    }

    /// An RSA-signed request from a client with no registered key gets a refusal that says so.
    @Test func rsaSignatureFromClientWithoutKeyIsRefusedClearly() throws {
        let provider = TestProvider()
        let request = HTTPRequest(method: "POST", url: RequestURL("https://photos.example.net/initiate")!, headers: [
            ("Authorization", "OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_signature_method=\"RSA-SHA1\", oauth_timestamp=\"\(provider.clock.now())\", oauth_nonce=\"r1\", oauth_callback=\"oob\", oauth_signature=\"AAAA\""),
        ])
        let error = expectOAuthError(.signatureMethodRejected) { try provider.server.issueTemporaryCredential(request) }
        #expect(error?.message.contains("no RSA public key") == true)
    }
}
