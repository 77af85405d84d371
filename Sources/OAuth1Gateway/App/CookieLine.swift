/// The Set-Cookie lines of the provider's cookies: `HttpOnly; SameSite=Lax`, `Secure` unless insecure transport is on, and
/// `Path` the mount point, so programs elsewhere on the same host never receive them (docs/security.md, "Sessions").
enum CookieLine {
    /// A Set-Cookie value for `name=value` that lives `maxAge` seconds (0 deletes the cookie) below `mountPath`.
    static func make(name: String, value: String, maxAge: Int64, mountPath: String, secure: Bool) -> String {
        "\(name)=\(value); Path=\(path(mountPath: mountPath)); Max-Age=\(maxAge); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    /// The cookie `Path` for a mount point: `/` at the root, else the mount path with any byte that may not stand in a cookie
    /// attribute (controls, space, `;`, `,`, `%`, non-ASCII) percent-encoded, as a browser sends it in the request line.
    static func path(mountPath: String) -> String {
        guard !mountPath.isEmpty else { return "/" }
        var path = ""
        for byte in mountPath.utf8 {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: ";"), byte != UInt8(ascii: ","), byte != UInt8(ascii: "%") {
                path.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                path.unicodeScalars.append("%")
                path.unicodeScalars.append(digits[Int(byte >> 4)])
                path.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return path
    }
}
