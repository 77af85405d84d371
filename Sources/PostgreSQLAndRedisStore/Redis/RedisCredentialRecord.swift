import ProviderCore

/// How a temporary credential is laid out as the fields of a Redis hash: an optional value is a field that is present
/// (possibly empty) or absent, and a scope list is each scope preceded by its byte length and a colon, so that empty
/// scopes and scopes holding spaces come back as they went in.
enum RedisCredentialRecord {
    static let secret = "secret"
    static let client = "client"
    static let callback = "callback"
    static let requestedScopes = "requested"
    static let grantedScopes = "granted"
    static let tokenLifetime = "lifetime"
    static let userID = "user"
    static let verifier = "verifier"
    static let expiresAt = "expires"

    /// The hash's fields and values, alternating, as `HSET` takes them.
    static func fields(of credential: TemporaryCredential) -> [[UInt8]] {
        var pairs: [(String, [UInt8])] = [
            (secret, Array(credential.secret.utf8)),
            (client, Array(credential.clientIdentifier.utf8)),
            (callback, Array(credential.callback.utf8)),
            (requestedScopes, encode(credential.requestedScopes)),
            (grantedScopes, encode(credential.grantedScopes)),
            (expiresAt, Array(String(credential.expiresAt).utf8)),
        ]
        if let lifetime = credential.tokenLifetime { pairs.append((tokenLifetime, Array(String(lifetime).utf8))) }
        if let user = credential.userID { pairs.append((userID, Array(user.utf8))) }
        if let code = credential.verifier { pairs.append((verifier, Array(code.utf8))) }
        return pairs.flatMap { [Array($0.0.utf8), $0.1] }
    }

    /// The credential an `HGETALL` reply describes, or nil for an empty reply (no such key); throws when a field is
    /// missing or unreadable.
    static func credential(token: String, from reply: RedisReply) throws(RecordError) -> TemporaryCredential? {
        guard case .array(let elements) = reply, elements.count % 2 == 0 else { throw RecordError() }
        if elements.isEmpty { return nil }
        var table = [String: [UInt8]]()
        var index = 0
        while index < elements.count {
            guard case .string(let name) = elements[index], case .string(let value) = elements[index + 1] else {
                throw RecordError()
            }
            table[String(decoding: name, as: UTF8.self)] = value
            index += 2
        }
        func text(_ field: String) -> String? { table[field].map { String(decoding: $0, as: UTF8.self) } }
        guard let secretValue = text(secret), let clientValue = text(client), let callbackValue = text(callback),
              let requested = table[requestedScopes].flatMap(decode), let granted = table[grantedScopes].flatMap(decode),
              let expires = text(expiresAt).flatMap({ Int64($0) }) else { throw RecordError() }
        var lifetime: Int64?
        if let value = text(tokenLifetime) {
            guard let number = Int64(value) else { throw RecordError() }
            lifetime = number
        }
        return TemporaryCredential(token: token, secret: secretValue, clientIdentifier: clientValue, callback: callbackValue,
                                   requestedScopes: requested, grantedScopes: granted, tokenLifetime: lifetime,
                                   userID: text(userID), verifier: text(verifier), expiresAt: expires)
    }

    /// A scope list as length-prefixed items: `["a b", ""]` becomes `3:a b0:`.
    static func encode(_ scopes: [String]) -> [UInt8] {
        var bytes = [UInt8]()
        for scope in scopes {
            let item = Array(scope.utf8)
            bytes.append(contentsOf: Array(String(item.count).utf8))
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: item)
        }
        return bytes
    }

    /// The scope list `encode` wrote, or nil when the bytes are not such a list.
    static func decode(_ bytes: [UInt8]) -> [String]? {
        var scopes = [String]()
        var index = 0
        while index < bytes.count {
            var length = 0
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), digits < 10 {
                length = length * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
                digits += 1
            }
            guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: ":"), bytes.count - index - 1 >= length else {
                return nil
            }
            index += 1
            scopes.append(String(decoding: bytes[index..<index + length], as: UTF8.self))
            index += length
        }
        return scopes
    }

    /// A stored record that is not one this store wrote.
    struct RecordError: Error {}
}
