/// Writes bytes, and their RFC 5849 section 3.6 encoding, into storage the caller sized. The protocol core builds its
/// strings with `PercentEncoding.encode`; this stays only for the signing key of `SignatureInput.withSigningKey`.
struct PercentEncodingWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// How many bytes were written so far.
    private(set) var count = 0

    /// A writer at the start of `buffer`, which must be large enough for everything written (three bytes per encoded byte).
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// Writes one byte as it is.
    mutating func write(_ byte: UInt8) {
        precondition(count < buffer.count)
        buffer[count] = byte
        count += 1
    }

    /// Writes the RFC 5849 section 3.6 encoding of `bytes`.
    mutating func writeEncoded(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in PercentEncoding.encode(bytes: bytes) { write(byte) }
    }
}
