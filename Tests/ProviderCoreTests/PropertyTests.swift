import ProviderCore
import Testing

/// Properties over many random inputs from a seeded generator, so a failure reproduces.
@Suite struct PropertyTests {
    /// SplitMix64: small, seedable, good enough to draw test inputs.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let pieces: [String] = ["a", "Z", "0", "-", ".", "_", "~", " ", "+", "%", "&", "=", "?", "/", "#", "\"", "'", "é", "日", "😀", "%20", "%2B", "\t", ",", ";"]

    static func randomString(_ generator: inout SeededGenerator, maxLength: Int = 12) -> String {
        let length = Int.random(in: 0...maxLength, using: &generator)
        return (0..<length).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    @Test func percentEncodingRoundTrips() throws {
        var generator = SeededGenerator(state: 1)
        for _ in 0..<2000 {
            let text = Self.randomString(&generator)
            let encoded = PercentEncoding.encode(text)
            #expect(encoded.utf8.allSatisfy { PercentEncoding.isUnreserved($0) || $0 == UInt8(ascii: "%") })
            #expect(try PercentEncoding.decode(encoded, plusIsSpace: false) == text)
            #expect(try PercentEncoding.decode(encoded, plusIsSpace: true) == text)
        }
    }

    @Test func formEncodingRoundTripsOrderedPairs() throws {
        var generator = SeededGenerator(state: 2)
        for _ in 0..<1000 {
            let count = Int.random(in: 0...6, using: &generator)
            let pairs = (0..<count).map { _ in Parameter("k" + Self.randomString(&generator, maxLength: 4), Self.randomString(&generator)) }
            #expect(try FormURLEncoding.parse(FormURLEncoding.serialize(pairs)) == pairs)
        }
    }

    @Test func base64RoundTripsAndRejectsNonCanonicalText() {
        var generator = SeededGenerator(state: 3)
        for _ in 0..<1000 {
            let bytes = (0..<Int.random(in: 0...70, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64.encode(bytes)
            #expect(Base64.decode(text) == bytes)
        }
        #expect(Base64.decode("Zm9v") == Array("foo".utf8))
        #expect(Base64.decode("Zm8=") == Array("fo".utf8))
        #expect(Base64.decode("Zg==") == Array("f".utf8))
        for bad in ["Zm9", "Zm8", "Zh==", "Zm9=", "Z===", "=Zm9", "Zm9v=", "Zm 9", "Zm-_"] { #expect(Base64.decode(bad) == nil, "\(bad)") }
    }

    /// The normalized parameter string depends on the multiset of pairs, never on the order they arrived in.
    @Test func normalizationIgnoresArrivalOrder() {
        var generator = SeededGenerator(state: 4)
        for _ in 0..<500 {
            let pairs = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                Parameter(["a", "b", "A", "a_b", "é"].randomElement(using: &generator)!, Self.randomString(&generator, maxLength: 3))
            }
            let reference = SignatureBaseString.normalizedParameters(pairs)
            #expect(SignatureBaseString.normalizedParameters(pairs.shuffled(using: &generator)) == reference)
            #expect(SignatureBaseString.normalizedParameters(pairs.reversed()) == reference)
        }
    }

    /// The normalized string is sorted by encoded name, then encoded value, byte by byte (RFC 5849 section 3.4.1.3.2).
    @Test func normalizationSortsByEncodedNameThenValue() {
        var generator = SeededGenerator(state: 5)
        for _ in 0..<500 {
            let pairs = (0..<Int.random(in: 2...8, using: &generator)).map { _ in
                Parameter(Self.randomString(&generator, maxLength: 3), Self.randomString(&generator, maxLength: 3))
            }
            let normalized = SignatureBaseString.normalizedParameters(pairs)
            let parts = normalized.split(separator: "&", omittingEmptySubsequences: false).map { part -> ([UInt8], [UInt8]) in
                let split = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (Array(split[0].utf8), split.count > 1 ? Array(split[1].utf8) : [])
            }
            #expect(parts.count == pairs.count)
            for (left, right) in zip(parts, parts.dropFirst()) {
                let ordered = left.0.lexicographicallyPrecedes(right.0) || (left.0 == right.0 && !right.1.lexicographicallyPrecedes(left.1))
                #expect(ordered, "\(normalized)")
            }
        }
    }

    @Test func credentialGeneratorIsUniformOverAlphabetAndSkipsBiasedBytes() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let generator = CredentialGenerator()
        var seen = [Character: Int]()
        for _ in 0..<200 {
            let text = generator.string(length: 62)
            #expect(text.count == 62)
            for character in text { seen[character, default: 0] += 1 }
        }
        #expect(Set(seen.keys).isSubset(of: alphabet))
        #expect(seen.count == 62)
        // 12,400 draws over 62 symbols: about 200 each; a modulo-biased or broken generator strays far outside this band.
        #expect(seen.values.allSatisfy { (120...290).contains($0) }, "\(seen)")

        // Bytes 248...255 would favour the first eight symbols under a bare modulo; they must be discarded.
        let scripted = CredentialGenerator(random: ScriptedRandom([248, 255, 250, 0, 249, 61, 252, 62]))
        #expect(scripted.string(length: 3) == "A9A")
    }
}
