/// The Lua scripts that make each change to a temporary credential one atomic step on the server.
enum RedisCredentialScripts {
    private typealias Field = RedisCredentialRecord

    /// Replaces the hash at KEYS[1] with the field-value pairs from ARGV[2] on and expires it in ARGV[1] seconds.
    static let save = """
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 2))
        redis.call('EXPIRE', KEYS[1], ARGV[1])
        return 1
        """

    /// Sets the user (ARGV[1]), verifier (ARGV[2]) and granted scopes (ARGV[3]) of the hash at KEYS[1] if it exists and
    /// has neither a user nor a verifier, keeping its expiry; 1 when it did, 0 otherwise.
    static let authorize = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        if redis.call('HEXISTS', KEYS[1], '\(Field.userID)') == 1 then return 0 end
        if redis.call('HEXISTS', KEYS[1], '\(Field.verifier)') == 1 then return 0 end
        redis.call('HSET', KEYS[1], '\(Field.userID)', ARGV[1], '\(Field.verifier)', ARGV[2], '\(Field.grantedScopes)', ARGV[3])
        return 1
        """

    /// Returns the hash at KEYS[1] as `HGETALL` does and deletes it, so one caller gets it and every other an empty list.
    static let consume = """
        local fields = redis.call('HGETALL', KEYS[1])
        if #fields > 0 then redis.call('DEL', KEYS[1]) end
        return fields
        """
}
