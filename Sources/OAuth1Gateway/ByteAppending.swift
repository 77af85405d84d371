/// Text appended to a byte buffer (a response head, a JSON body) without a String in between.
extension Array where Element == UInt8 {
    /// Appends fixed text.
    mutating func append(literal text: StaticString) {
        // A separator such as ": " or "\r\n" costs less byte by byte than as a copy.
        if text.utf8CodeUnitCount <= 2 {
            for index in 0..<text.utf8CodeUnitCount { append(text.utf8Start[index]) }
            return
        }
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a String's UTF-8 bytes in one copy.
    mutating func append(utf8Of text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// Appends a number's decimal digits, as `String(value)` writes them.
    mutating func appendDecimal<Number: BinaryInteger>(_ value: Number) {
        guard value >= 0 else {
            append(utf8Of: String(value))
            return
        }
        var divisor: Number = 1
        while divisor <= value / 10 { divisor *= 10 }
        repeat {
            append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        } while divisor > 0
    }
}
