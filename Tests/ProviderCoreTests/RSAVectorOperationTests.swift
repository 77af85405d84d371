import COpenSSL
import Foundation
@testable import ProviderCore
import Testing

/// The AVX-512 IFMA public-key operation (COpenSSL/rsa2048_ifma.h) against OpenSSL's: the same numbers on random
/// inputs, and the same verdict on good and spoilt signatures. Runs only where the processor has IFMA, the only place
/// the vector operation is ever used.
@Suite(.enabled(if: RSA2048VectorKey.isAvailable, "the processor has no AVX-512 IFMA; OpenSSL verifies every RSA signature"))
struct RSAVectorOperationTests {
    /// s^65537 mod n for random moduli (some dense with one bits, which stress every carry) and random s below n,
    /// plus 0, 1 and n - 1; s = n and s = n + 1 are refused as RSAVP1 requires.
    @Test func powerMatchesOpenSSLOnRandomValues() throws {
        let context = try #require(BN_CTX_new())
        defer { BN_CTX_free(context) }
        let n = BN_new(), s = BN_new(), expected = BN_new(), exponent = BN_new(), square = BN_new()
        defer { [n, s, expected, exponent, square].forEach { BN_free($0) } }
        #expect(BN_set_word(exponent, 65_537) == 1)
        var mismatches = 0
        for trial in 0..<300 {
            #expect(BN_rand(n, 2048, 0, 1) == 1)  // top bit set, odd
            if trial % 3 == 0 { for bit in 1..<2047 where bit % 5 != 0 || trial % 2 == 0 { BN_set_bit(n, Int32(bit)) } }
            switch trial {
            case 0: BN_zero_ex(s)
            case 1: #expect(BN_set_word(s, 1) == 1)
            case 2: #expect(BN_sub(s, n, BN_value_one()) == 1)
            default: #expect(BN_rand_range(s, n) == 1)
            }
            #expect(BN_mod_exp(expected, s, exponent, n, context) == 1)
            BN_zero_ex(square)
            #expect(BN_set_bit(square, 4160) == 1 && BN_div(nil, square, square, n, context) == 1)
            var key = oauth1_rsa2048_key()
            let modulusBytes = Self.bytes(n), squareBytes = Self.bytes(square)
            oauth1_rsa2048_key_init(&key, modulusBytes, squareBytes)
            var output = [UInt8](repeating: 0, count: 256)
            #expect(oauth1_rsa2048_public(&output, Self.bytes(s), &key) == 1)
            if output != Self.bytes(expected) { mismatches += 1 }
            #expect(oauth1_rsa2048_public(&output, modulusBytes, &key) == 0)
            #expect(BN_add(s, n, BN_value_one()) == 1)
            if BN_num_bits(s) <= 2048 { #expect(oauth1_rsa2048_public(&output, Self.bytes(s), &key) == 0) }
        }
        #expect(mismatches == 0)
    }

    /// The fixture's 2048-bit key takes the vector path and the 1024-bit one does not; each signature from the
    /// independent client, and every spoilt form of it, gets the same verdict from both paths.
    @Test func verdictsMatchOpenSSL() throws {
        #expect(try !RSAPublicKey(pem: fixture("rsa1024-spki.pem")).usesVectorOperation)
        let vectors = SignatureVectorTests.vectors.filter { $0.rsa_key == "rsa2048" }
        #expect(vectors.count >= 3)
        for vector in vectors {
            let key = try RSAPublicKey(pem: fixture("rsa2048-spki.pem"))
            #expect(key.usesVectorOperation)
            let hash: HashAlgorithm = vector.signature_method == "RSA-SHA1" ? .sha1 : .sha256
            let other: HashAlgorithm = hash == .sha1 ? .sha256 : .sha1
            let signature = try #require(Data(base64Encoded: vector.signature).map { [UInt8]($0) })
            let message = Array(vector.base_string.utf8)
            var cases: [(signature: [UInt8], message: [UInt8], hash: HashAlgorithm, valid: Bool)] = [
                (signature, message, hash, true),
                (signature, message, other, false),
                (signature, message + [0x20], hash, false),
                (Array(signature.dropFirst()), message, hash, false),
                ([0] + signature, message, hash, false),
                ([UInt8](repeating: 0, count: 256), message, hash, false),
                ([UInt8](repeating: 0, count: 255) + [1], message, hash, false),
                ([UInt8](repeating: 0xFF, count: 256), message, hash, false),
                ([], message, hash, false),
            ]
            for index in stride(from: 0, to: 256, by: 17) {
                var spoilt = signature
                spoilt[index] ^= 0x01
                cases.append((spoilt, message, hash, false))
            }
            for item in cases {
                let vector = item.message.withUnsafeBytes { key.verify(signature: item.signature, message: $0, hash: item.hash) }
                let openSSL = item.message.withUnsafeBytes {
                    key.verify(signature: item.signature, message: $0, hash: item.hash, openSSLOnly: true)
                }
                #expect(vector == item.valid)
                #expect(openSSL == item.valid)
            }
        }
    }

    private static func bytes(_ number: OpaquePointer?) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 256)
        _ = BN_bn2binpad(number, &out, 256)
        return out
    }
}
