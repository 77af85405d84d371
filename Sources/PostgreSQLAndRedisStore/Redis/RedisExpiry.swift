/// Seconds from `now` until `expiresAt` as a Redis expiry: at least 1 (Redis refuses 0 and negative ones) and at most
/// about 68 years, so that no subtraction overflows and Redis accepts it.
func redisTimeToLive(expiresAt: Int64, now: Int64) -> Int64 {
    let (difference, overflow) = expiresAt.subtractingReportingOverflow(now)
    if overflow { return expiresAt < 0 ? 1 : Int64(Int32.max) }
    return min(max(difference, 1), Int64(Int32.max))
}
