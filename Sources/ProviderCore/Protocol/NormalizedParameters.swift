#if canImport(Glibc)
import Glibc
#endif

/// The signed parameters normalized as RFC 5849 section 3.4.1.3.2 says: every name and value encoded (section 3.6)
/// into one buffer, and the pairs sorted by name, then value, in byte order, as ranges of that buffer. Both live in
/// temporary storage (the stack, for any usual request) for the duration of one closure.
struct NormalizedParameters {
    /// A name and its value, as ranges of the encoded buffer.
    private struct Pair {
        let name: Range<Int>
        let value: Range<Int>
    }

    private let encoded: UnsafeBufferPointer<UInt8>
    private let pairs: UnsafeBufferPointer<Pair>

    /// Normalizes `parameters` and hands the result to `body`.
    static func with<R>(_ parameters: [Parameter], _ body: (NormalizedParameters) -> R) -> R {
        with(parameters, skipping: nil, body)
    }

    /// Normalizes the signed parameters of a request, all but `oauth_signature` (RFC 5849 section 3.4.1.3.1), and hands the result to `body`.
    static func with<R>(_ request: RequestParameters, _ body: (NormalizedParameters) -> R) -> R {
        with(request.parameters, skipping: request.signatureEntry, body)
    }

    private static func with<R>(_ parameters: [Parameter], skipping: Int?, _ body: (NormalizedParameters) -> R) -> R {
        // The parameters are read in place, through the array's buffer: no copy of a name or value is retained.
        parameters.withUnsafeBufferPointer { items in
            var rawCount = 0
            for index in items.indices where index != skipping {
                rawCount += items[index].name.utf8.count + items[index].value.utf8.count
            }
            let count = items.count - (skipping == nil ? 0 : 1)
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 3 * rawCount) { buffer in
                withUnsafeTemporaryAllocation(of: Pair.self, capacity: count) { pairs in
                    var output = PercentEncodingWriter(buffer)
                    var written = 0
                    for index in items.indices where index != skipping {
                        let nameStart = output.count
                        output.writeEncoded(items[index].name)
                        let valueStart = output.count
                        output.writeEncoded(items[index].value)
                        (pairs.baseAddress! + written).initialize(to: Pair(name: nameStart..<valueStart, value: valueStart..<output.count))
                        written += 1
                    }
                    let encoded = UnsafeBufferPointer(rebasing: buffer[..<output.count])
                    func precedes(_ lhs: Range<Int>, _ rhs: Range<Int>) -> Bool? {
                        let common = min(lhs.count, rhs.count)
                        if common > 0 {
                            let order = memcmp(encoded.baseAddress! + lhs.lowerBound, encoded.baseAddress! + rhs.lowerBound, common)
                            if order != 0 { return order < 0 }
                        }
                        return lhs.count == rhs.count ? nil : lhs.count < rhs.count
                    }
                    var sorted = UnsafeMutableBufferPointer(rebasing: pairs[..<written])
                    sorted.sort { lhs, rhs in
                        precedes(lhs.name, rhs.name) ?? precedes(lhs.value, rhs.value) ?? false
                    }
                    // Pair holds only integers: the memory needs no deinitialization before it is released.
                    return body(NormalizedParameters(encoded: encoded, pairs: UnsafeBufferPointer(sorted)))
                }
            }
        }
    }

    /// The length of the normalized string, before it is encoded again.
    var count: Int { encoded.count + 2 * pairs.count - (pairs.isEmpty ? 0 : 1) }

    /// Writes `name=value&...`, or its encoding (`=` as `%3D`, `&` as `%26`, `%` as `%25`) for the base string.
    func write(to output: inout PercentEncodingWriter, encoded escaping: Bool) {
        for (index, pair) in pairs.enumerated() {
            if index > 0 {
                if escaping { output.writeEncoded(StaticString("&")) } else { output.write(UInt8(ascii: "&")) }
            }
            let name = UnsafeBufferPointer(rebasing: encoded[pair.name])
            let value = UnsafeBufferPointer(rebasing: encoded[pair.value])
            if escaping {
                output.writeEncodedAgain(name)
                output.writeEncoded(StaticString("="))
                output.writeEncodedAgain(value)
            } else {
                output.write(name)
                output.write(UInt8(ascii: "="))
                output.write(value)
            }
        }
    }
}
