#if canImport(Glibc)
import Glibc
#endif

/// The signed parameters normalized as RFC 5849 section 3.4.1.3.2 says: every name and value encoded (section 3.6)
/// into one buffer, and the pairs sorted by name, then value, in byte order, as ranges of that buffer.
struct NormalizedParameters {
    private let encoded: [UInt8]
    private let pairs: [(name: Range<Int>, value: Range<Int>)]

    init(_ parameters: [Parameter]) {
        var rawCount = 0
        for parameter in parameters { rawCount += parameter.name.utf8.count + parameter.value.utf8.count }
        var pairs = [(name: Range<Int>, value: Range<Int>)]()
        pairs.reserveCapacity(parameters.count)
        let encoded = [UInt8](unsafeUninitializedCapacity: 3 * rawCount) { buffer, written in
            var output = PercentEncodingWriter(buffer)
            for parameter in parameters {
                var name = parameter.name
                var value = parameter.value
                let nameStart = output.count
                name.withUTF8 { output.writeEncoded($0) }
                let valueStart = output.count
                value.withUTF8 { output.writeEncoded($0) }
                pairs.append((nameStart..<valueStart, valueStart..<output.count))
            }
            written = output.count
        }
        encoded.withUnsafeBufferPointer { bytes in
            func precedes(_ lhs: Range<Int>, _ rhs: Range<Int>) -> Bool? {
                let common = min(lhs.count, rhs.count)
                if common > 0 {
                    let order = memcmp(bytes.baseAddress! + lhs.lowerBound, bytes.baseAddress! + rhs.lowerBound, common)
                    if order != 0 { return order < 0 }
                }
                return lhs.count == rhs.count ? nil : lhs.count < rhs.count
            }
            pairs.sort { lhs, rhs in
                precedes(lhs.name, rhs.name) ?? precedes(lhs.value, rhs.value) ?? false
            }
        }
        self.encoded = encoded
        self.pairs = pairs
    }

    /// The length of the normalized string, before it is encoded again.
    var count: Int { encoded.count + 2 * pairs.count - (pairs.isEmpty ? 0 : 1) }

    /// Writes `name=value&...`, or its encoding (`=` as `%3D`, `&` as `%26`, `%` as `%25`) for the base string.
    func write(to output: inout PercentEncodingWriter, encoded escaping: Bool) {
        encoded.withUnsafeBufferPointer { bytes in
            for (index, pair) in pairs.enumerated() {
                if index > 0 {
                    if escaping { output.writeEncoded(StaticString("&")) } else { output.write(UInt8(ascii: "&")) }
                }
                let name = UnsafeBufferPointer(rebasing: bytes[pair.name])
                let value = UnsafeBufferPointer(rebasing: bytes[pair.value])
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
}
