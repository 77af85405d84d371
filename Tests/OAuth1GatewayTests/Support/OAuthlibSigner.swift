import Foundation
import Testing

/// Signs a request with Python oauthlib (an independent implementation) and returns its Authorization header.
enum OAuthlibSigner {
    /// - Parameter token: a token credential (token, secret) to sign with; then no callback is sent.
    static func authorizationHeader(url: String, method: String = "POST", clientID: String, clientSecret: String,
                                    callback: String = "oob", token: (String, String)? = nil) throws -> String {
        let script = """
            import sys, oauthlib.oauth1 as o
            if sys.argv[6]:
                c = o.Client(sys.argv[1], client_secret=sys.argv[2], resource_owner_key=sys.argv[6], resource_owner_secret=sys.argv[7])
            else:
                c = o.Client(sys.argv[1], client_secret=sys.argv[2], callback_uri=sys.argv[3])
            uri, headers, body = c.sign(sys.argv[4], http_method=sys.argv[5])
            print(headers['Authorization'])
            """
        let result = try ProcessRunner.run("/usr/bin/python3", ["-c", script, clientID, clientSecret, callback, url, method,
                                                                token?.0 ?? "", token?.1 ?? ""])
        guard result.status == 0 else { throw ServerError("oauthlib could not sign: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
