import ProviderCore
import Testing

/// HMAC contexts stay keyed between requests and RSA keys keep their verification contexts: whatever the order of keys,
/// a result is the one a fresh computation gives.
@Suite struct CryptoContextReuseTests {
    /// RFC 2202 test case 2 for HMAC-SHA1, and the well-known "quick brown fox" value.
    @Test func keyedContextsGiveKnownValuesInAnyOrder() {
        let jefe = Array("Jefe".utf8)
        let fox = Array("key".utf8)
        let jefeMessage = Array("what do ya want for nothing?".utf8)
        let foxMessage = Array("The quick brown fox jumps over the lazy dog".utf8)
        for _ in 0..<3 {
            #expect(Digest.hex(HMAC.authenticationCode(.sha1, key: jefe, message: jefeMessage)) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
            #expect(Digest.hex(HMAC.authenticationCode(.sha1, key: fox, message: foxMessage)) == "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9")
        }
    }

    /// More keys than the pool keeps, used round and round, each against the value computed when it was first seen.
    @Test func manyKeysInTurnKeepTheirOwnValues() {
        let message = Array("GET&http%3A%2F%2Fexample.com%2Fuser&oauth_nonce%3Dabc".utf8)
        let keys = (0..<20).map { Array("client-secret-\($0)&token-secret".utf8) } + [[], Array("&".utf8)]
        for algorithm in HashAlgorithm.allCases {
            let first = keys.map { HMAC.authenticationCode(algorithm, key: $0, message: message) }
            #expect(Set(first).count == keys.count)
            #expect(first.allSatisfy { $0.count == algorithm.digestLength })
            for round in 0..<3 {
                for (index, key) in keys.enumerated().reversed() where (index + round) % 2 == 0 || round == 2 {
                    #expect(HMAC.authenticationCode(algorithm, key: key, message: message) == first[index])
                }
            }
        }
    }

    /// A key that failed a verification still verifies a good signature afterwards, and a bad one still fails.
    @Test func rsaKeyVerifiesAfterFailures() throws {
        let vector = try #require(SignatureVectorTests.vectors.first { $0.signature_method == "RSA-SHA1" })
        let good = try SignatureVectorTests.input(vector, baseString: vector.base_string)
        let bad = SignatureInput(baseString: vector.base_string + "x", signature: vector.signature, clientSecret: "", tokenSecret: "",
                                 rsaPublicKey: good.rsaPublicKey)
        for _ in 0..<3 {
            #expect(SignatureMethod.rsaSHA1.verify(good))
            #expect(!SignatureMethod.rsaSHA1.verify(bad))
            #expect(!SignatureMethod.rsaSHA256.verify(good))
        }
    }
}
