import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

/// What happened, in the audit trail's words.
public enum AuditEvent: String, Sendable, CaseIterable {
    /// A user signed in (with a password, or as the web server's REMOTE_USER).
    case signIn = "sign_in"
    /// A sign-in with a wrong username or password.
    case signInFailed = "sign_in_failed"
    /// A user allowed a client access (RFC 5849 section 2.2).
    case consentGranted = "consent_granted"
    /// A user refused a client access.
    case consentDenied = "consent_denied"
    /// The token endpoint issued a token credential (RFC 5849 section 2.3).
    case tokenIssued = "token_issued"
    /// A user or an administrator revoked a token credential.
    case tokenRevoked = "token_revoked"
    /// A developer or an administrator registered a client.
    case clientRegistered = "client_registered"
    /// A client's shared secret was replaced.
    case clientSecretRotated = "client_secret_rotated"
    /// A client was deleted, and its token credentials with it.
    case clientDeleted = "client_deleted"
    /// A user changed their password on the account page (every session of theirs ended).
    case passwordChanged = "password_changed"
    /// A user ended every session of theirs.
    case signedOutEverywhere = "signed_out_everywhere"
}

/// The audit trail: one JSON object per line for each event that changes who may act for whom, with the time, the user,
/// the client and the address. It never holds a secret, a password or a whole token: a token appears only as
/// `token_fingerprint`, the first 12 hexadecimal digits of its SHA-256.
///
/// Lines go to the file `OAUTH1_AUDIT_LOG` names (opened for appending, one `write` per line, so the lines of many
/// processes never interleave) or, when it is empty, to standard error.
public struct AuditLog: Sendable {
    /// Where lines go.
    public enum Destination: Sendable, Equatable {
        /// Standard error: the web server's or the supervisor's log.
        case standardError
        /// A file, appended to.
        case file(String)
    }

    /// Where lines go.
    public let destination: Destination

    /// A trail writing to `destination`.
    public init(destination: Destination) {
        self.destination = destination
    }

    /// The first 12 hexadecimal digits of the token's SHA-256: enough to match lines to a token an operator holds, too
    /// little to use.
    public static func fingerprint(token: String) -> String {
        String(Digest.hex(Digest.hash(.sha256, Array(token.utf8))).prefix(12))
    }

    /// The line for one event, without its newline; absent fields are left out.
    public static func line(_ event: AuditEvent, at time: Int64, user: String? = nil, client: String? = nil,
                            address: String? = nil, token: String? = nil) -> String {
        var fields = [("time", JSON.string(isoTime(time))), ("event", JSON.string(event.rawValue))]
        if let user { fields.append(("user", JSON.string(user))) }
        if let client { fields.append(("client", JSON.string(client))) }
        if let address { fields.append(("address", JSON.string(address))) }
        if let token { fields.append(("token_fingerprint", JSON.string(fingerprint(token: token)))) }
        return JSON.object(fields)
    }

    /// Records one event; a trail that cannot be written is reported in the log, and the request goes on.
    public func record(_ event: AuditEvent, at time: Int64, user: String? = nil, client: String? = nil,
                       address: String? = nil, token: String? = nil) {
        let line = Self.line(event, at: time, user: user, client: client, address: address, token: token) + "\n"
        switch destination {
        case .standardError:
            Self.write(line, to: 2)
        case .file(let path):
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                Log.error("the audit log \(path) cannot be opened: \(String(cString: strerror(errno)))")
                return
            }
            defer { close(descriptor) }
            if !Self.write(line, to: descriptor) { Log.error("the audit log \(path) cannot be written: \(String(cString: strerror(errno)))") }
        }
    }

    @discardableResult
    private static func write(_ line: String, to descriptor: Int32) -> Bool {
        var line = line
        return line.withUTF8 { buffer in Glibc.write(descriptor, buffer.baseAddress, buffer.count) == buffer.count }
    }
}
