import ProviderCore

/// Writes a response in the CGI form both gateways use: a `Status:` line, headers, a blank line, the body.
enum ResponseEncoder {
    /// - Parameter contentLength: add `Content-Length` when the response has none (not for an Authorizer's 200).
    static func encode(_ response: HTTPResponse, includeBody: Bool = true, contentLength: Bool = true) -> [UInt8] {
        var output = [UInt8]()
        encode(response, includeBody: includeBody, contentLength: contentLength, into: &output)
        return output
    }

    /// Writes the response over what `output` held, keeping its capacity: a FastCGI worker reuses one buffer. The head is
    /// written through a pointer into temporary storage sized for it (a bound summed first: every part's length, which
    /// dropping bytes only shortens), then copied in once.
    static func encode(_ response: HTTPResponse, includeBody: Bool = true, contentLength: Bool = true, into output: inout [UInt8]) {
        // Status line, each field's `: ` and CRLF, Content-Length with up to 20 digits, the blank line.
        var bound = 32 + reason(response.status).utf8CodeUnitCount + 40
        for field in response.headers { bound += field.name.utf8.count + field.value.utf8.count + 4 }
        output.removeAll(keepingCapacity: true)
        output.reserveCapacity(bound + (includeBody ? response.body.count : 0))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { buffer in
            var head = HeadWriter(buffer.baseAddress!)
            head.write("Status: ")
            head.writeDecimal(response.status)
            head.write(UInt8(ascii: " "))
            head.write(reason(response.status))
            head.write("\r\n")
            var hasLength = false
            for field in response.headers {
                let nameStart = head.count
                head.write(field.name, droppingColons: true)
                if !hasLength, isContentLength(UnsafeBufferPointer(start: buffer.baseAddress! + nameStart, count: head.count - nameStart)) {
                    hasLength = true
                }
                head.write(": ")
                head.write(field.value, droppingColons: false)
                head.write("\r\n")
            }
            if !hasLength, contentLength {
                head.write("Content-Length: ")
                head.writeDecimal(response.body.count)
                head.write("\r\n")
            }
            head.write("\r\n")
            precondition(head.count <= bound)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<head.count]))
        }
        if includeBody { output += response.body }
    }

    /// Writes head text at a pointer, counting what it wrote; the caller sized the storage.
    private struct HeadWriter {
        private let start: UnsafeMutablePointer<UInt8>
        private(set) var count = 0

        init(_ start: UnsafeMutablePointer<UInt8>) {
            self.start = start
        }

        mutating func write(_ byte: UInt8) {
            start[count] = byte
            count += 1
        }

        mutating func write(_ text: StaticString) {
            (start + count).initialize(from: text.utf8Start, count: text.utf8CodeUnitCount)
            count += text.utf8CodeUnitCount
        }

        /// A number's decimal digits, as `String(value)` writes them.
        mutating func writeDecimal(_ value: Int) {
            guard value >= 0 else {
                for byte in String(value).utf8 { write(byte) }
                return
            }
            var divisor = 1
            while divisor <= value / 10 { divisor *= 10 }
            repeat {
                write(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            } while divisor > 0
        }

        /// A header name or value without CR and LF (and without `:` in a name): copied whole when it has none of them.
        mutating func write(_ text: String, droppingColons: Bool) {
            if text.utf8.withContiguousStorageIfAvailable({ write($0, droppingColons: droppingColons) }) != nil { return }
            let copy = Array(text.utf8)
            copy.withUnsafeBufferPointer { write($0, droppingColons: droppingColons) }
        }

        private mutating func write(_ bytes: UnsafeBufferPointer<UInt8>, droppingColons: Bool) {
            guard let source = bytes.baseAddress else { return }
            guard firstDropped(bytes, droppingColons: droppingColons) != nil else {
                (start + count).initialize(from: source, count: bytes.count)
                count += bytes.count
                return
            }
            for byte in bytes where !isDropped(byte, droppingColons: droppingColons) { write(byte) }
        }
    }

    /// Where the first byte to drop is, if any: one comparison for each byte above `:`, which is every letter.
    private static func firstDropped(_ bytes: UnsafeBufferPointer<UInt8>, droppingColons: Bool) -> Int? {
        for index in bytes.indices where bytes[index] <= UInt8(ascii: ":") && isDropped(bytes[index], droppingColons: droppingColons) {
            return index
        }
        return nil
    }

    /// CR, LF, and in a name `:`.
    private static func isDropped(_ byte: UInt8, droppingColons: Bool) -> Bool {
        byte == 0x0D || byte == 0x0A || (droppingColons && byte == UInt8(ascii: ":"))
    }

    /// Whether a header name is `Content-Length` in any ASCII case.
    private static func isContentLength(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let expected = "content-length".utf8
        guard name.count == expected.count else { return false }
        return zip(name, expected).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0) == $1 }
    }

    static func reason(_ status: Int) -> StaticString {
        switch status {
        case 200: return "OK"
        case 204: return "No Content"
        case 302: return "Found"
        case 303: return "See Other"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Content Too Large"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
