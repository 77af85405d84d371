import COpenSSL
import ProviderCore
import Testing

/// The OpenSSL-backed pieces the signature methods are built from: HMAC and digests against published values,
/// strict base64, constant-time comparison, and an RSA key that keeps verifying after failures.
@Suite struct CryptoPrimitiveTests {
    /// RFC 2202 test case 2 and RFC 4231 test case 2 ("Jefe"), and HMAC under an empty key, which OpenSSL must still key.
    @Test func hmacGivesPublishedValues() {
        let jefe = Array("Jefe".utf8)
        let message = Array("what do ya want for nothing?".utf8)
        let expected: [(HashAlgorithm, jefe: String, empty: String)] = [
            (.sha1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d"),
            (.sha256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
             "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
            (.sha512, "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
             "b936cee86c9f87aa5d3c6f2e84cb5a4239a5fe50480a6ec66b70ab5b1f4ac6730c6c515421b327ec1d69402e53dfb49ad7381eb067b338fd7b0cb22247225d47"),
        ]
        for (algorithm, jefeValue, emptyValue) in expected {
            #expect(Digest.hex(HMAC.authenticationCode(algorithm, key: jefe, message: message)) == jefeValue)
            #expect(Digest.hex(HMAC.authenticationCode(algorithm, key: [], message: [])) == emptyValue)
            #expect(HMAC.authenticationCode(algorithm, key: "Jefe", message: "what do ya want for nothing?") == HMAC.authenticationCode(algorithm, key: jefe, message: message))
        }
    }

    /// Contexts kept keyed per signing key never answer for another key: more keys than are kept, of one length and
    /// differing in one byte, used in turn and then in another order with both hashes, each checked against OpenSSL's
    /// one-shot HMAC.
    @Test func keptContextsAnswerOnlyForTheirOwnKey() {
        let keys = (0..<12).map { index in Array("client-secret&token-secret-".utf8) + [UInt8(0x41 + index)] }
        let message = Array("GET&https%3A%2F%2Fexample.com%2Fuser&oauth_nonce%3Dx".utf8)
        func oneShot(_ algorithm: HashAlgorithm, _ key: [UInt8]) -> [UInt8] {
            var output = [UInt8](repeating: 0, count: 64)
            var length = 0
            _ = EVP_Q_mac(nil, "HMAC", nil, algorithm.rawValue, nil, key, key.count, message, message.count, &output, output.count, &length)
            return Array(output.prefix(length))
        }
        let order = Array(keys.indices) + keys.indices.reversed() + [0, 11, 0, 5, 5, 7]
        for algorithm in [HashAlgorithm.sha1, .sha256] {
            for index in order {
                #expect(HMAC.authenticationCode(algorithm, key: keys[index], message: message) == oneShot(algorithm, keys[index]),
                        "key \(index), \(algorithm)")
            }
        }
    }

    /// FIPS 180 "abc" examples.
    @Test func digestsGivePublishedValues() {
        let abc = Array("abc".utf8)
        #expect(Digest.hex(Digest.hash(.sha1, abc)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Digest.hex(Digest.hash(.sha256, abc)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.hex(Digest.hash(.sha512, abc)) == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        for algorithm in HashAlgorithm.allCases { #expect(Digest.hash(algorithm, []).count == algorithm.digestLength) }
    }

    /// RFC 4648 section 10's examples, both ways.
    @Test func base64MatchesRFC4648Examples() {
        let examples = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in examples {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    /// What OpenSSL's decoder alone would forgive (whitespace around the text, `=` anywhere, extra padding) is refused.
    @Test func base64RefusesWhatOpenSSLForgives() {
        for bad in ["    ", " Zm9", "Zm9 ", "\tZm9v\n\n\n", "Zm9v====", "====", "AB=C", "Zm==Zm9v", "Zm9v\0\0\0\0", "Zm9vYg=\n"] {
            #expect(Base64.decode(bad) == nil, "\(bad.debugDescription)")
        }
    }

    /// Every short text over an alphabet with the awkward characters: decoded exactly when a plain strict decoder decodes it.
    @Test func base64DecodesExactlyWhatAStrictReferenceDecodes() {
        let characters = Array("ABQgw/+=- \n".utf8)
        var generator = PropertyTests.SeededGenerator(state: 14)
        for _ in 0..<20_000 {
            let length = 4 * Int.random(in: 0...2, using: &generator) + Int.random(in: 0...1, using: &generator)
            let text = String(decoding: (0..<length).map { _ in characters[Int.random(in: characters.indices, using: &generator)] }, as: UTF8.self)
            #expect(Base64.decode(text) == Self.strictReferenceDecode(text), "\(text.debugDescription)")
        }
    }

    /// Groups of four alphabet characters, the last group optionally ending in one or two `=`, whose dropped bits are zero.
    static func strictReferenceDecode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var bytes: [UInt8] = []
        for start in stride(from: 0, to: characters.count, by: 4) {
            let group = characters[start..<start + 4]
            let isLast = start + 4 == characters.count
            let padding = group.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            guard padding <= 2, padding == 0 || isLast else { return nil }
            var bits: UInt32 = 0
            for character in group.dropLast(padding) {
                guard let value = alphabet.firstIndex(of: character) else { return nil }
                bits = bits << 6 | UInt32(value)
            }
            bits <<= 6 * UInt32(padding)
            let group3 = [UInt8(bits >> 16 & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits & 0xFF)]
            guard group3.suffix(padding).allSatisfy({ $0 == 0 }) else { return nil }
            bytes += group3.dropLast(padding)
        }
        return bytes
    }

    @Test func constantTimeEqualsComparesWholeSequences() {
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(ConstantTime.equals("kd94hf93k423kf44&", "kd94hf93k423kf44&"))
        #expect(!ConstantTime.equals("kd94hf93k423kf44&", "kd94hf93k423kf44&x"))
        #expect(!ConstantTime.equals("kd94hf93k423kf44&", "Kd94hf93k423kf44&"))
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(ConstantTime.equals([1, 2, 3] as [UInt8], ([0, 1, 2, 3] as [UInt8]).dropFirst()))
    }

    /// A key that failed a verification (wrong message, wrong hash, a signature of the wrong size) still verifies a good signature afterwards.
    @Test func rsaKeyVerifiesAfterFailures() throws {
        let vector = try #require(SignatureVectorTests.vectors.first { $0.signature_method == "RSA-SHA1" })
        let good = try SignatureVectorTests.input(vector, baseString: vector.base_string)
        let bad = SignatureInput(baseString: vector.base_string + "x", signature: vector.signature, clientSecret: "", tokenSecret: "",
                                 rsaPublicKey: good.rsaPublicKey)
        let key = try #require(good.rsaPublicKey)
        for _ in 0..<3 {
            #expect(SignatureMethod.rsaSHA1.verify(good))
            #expect(!SignatureMethod.rsaSHA1.verify(bad))
            #expect(!SignatureMethod.rsaSHA256.verify(good))
            #expect(!key.verify(signature: [], message: Array(vector.base_string.utf8), hash: .sha1))
            #expect(!key.verify(signature: [1, 2, 3], message: Array(vector.base_string.utf8), hash: .sha1))
        }
    }
}
