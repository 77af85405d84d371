/// Runs the credential look-ups of one request as one unit, such as one read transaction of a database: they see one
/// snapshot and pay for one transaction instead of one each. The body only reads; it never writes to a store.
public protocol LookupScope: Sendable {
    /// Runs `body`, whose store reads share the scope.
    func lookUp<T>(_ body: () throws -> T) throws -> T
}

/// Look-ups one after another, each on its own: for stores without transactions.
public struct SeparateLookups: LookupScope {
    /// Creates the scope.
    public init() {}

    /// Runs `body` as it is.
    public func lookUp<T>(_ body: () throws -> T) throws -> T { try body() }
}
