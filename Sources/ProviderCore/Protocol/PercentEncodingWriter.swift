#if canImport(Glibc)
import Glibc
#endif

/// Writes bytes, and their RFC 5849 section 3.6 encoding, into storage the caller sized: the base string and the
/// normalized parameters are built in place, with no growing array in between.
struct PercentEncodingWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// How many bytes were written so far.
    private(set) var count = 0

    /// A writer at the start of `buffer`, which must be large enough for everything written (three bytes per encoded byte).
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    mutating func write(_ byte: UInt8) {
        precondition(count < buffer.count)
        buffer[count] = byte
        count += 1
    }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(count + bytes.count <= buffer.count)
        (buffer.baseAddress! + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Writes the encoding of `bytes`, optionally changing ASCII letters' case on the way.
    mutating func writeEncoded(_ bytes: UnsafeBufferPointer<UInt8>, lowercasingASCII: Bool = false, uppercasingASCII: Bool = false) {
        // Room for the worst case is checked once; the loop then writes through the pointer.
        precondition(count + 3 * bytes.count <= buffer.count)
        guard let output = buffer.baseAddress else { return }
        var position = count
        for var byte in bytes {
            if lowercasingASCII, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 32 }
            if uppercasingASCII, byte >= UInt8(ascii: "a"), byte <= UInt8(ascii: "z") { byte -= 32 }
            if PercentEncoding.isUnreserved(byte) {
                output[position] = byte
                position += 1
            } else {
                output[position] = UInt8(ascii: "%")
                output[position + 1] = Self.hexDigit(byte >> 4)
                output[position + 2] = Self.hexDigit(byte & 0x0F)
                position += 3
            }
        }
        count = position
    }

    /// Writes the encoding of text that is already encoded (the normalized parameters, RFC 5849 section 3.4.1.1): only
    /// its `%` needs escaping, as `%25`; every other byte is unreserved.
    mutating func writeEncodedAgain(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes {
            if byte == UInt8(ascii: "%") {
                write(UInt8(ascii: "%"))
                write(UInt8(ascii: "2"))
                write(UInt8(ascii: "5"))
            } else {
                write(byte)
            }
        }
    }

    /// Writes the encoding of a string's UTF-8 bytes, read in place.
    mutating func writeEncoded(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ writeEncoded($0) }) == nil {
            let copy = Array(text.utf8)
            copy.withUnsafeBufferPointer { writeEncoded($0) }
        }
    }

    /// Writes the encoding of a constant such as `"://"`.
    mutating func writeEncoded(_ text: StaticString) {
        text.withUTF8Buffer { writeEncoded($0) }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }
}
