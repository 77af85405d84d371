/// An ordered list of HTTP header fields with case-insensitive lookup by name: two names match when their `lowercased()` forms are equal.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByArrayLiteral {
    /// One field, with its name lowercased once for lookups.
    private struct Field: Sendable {
        let name: String
        let value: String
        let key: String

        init(name: String, value: String) {
            self.name = name
            self.value = value
            key = name.lowercased()
        }
    }

    private var storage: [Field]

    /// The fields in the order they were received or added.
    public var fields: [(name: String, value: String)] { storage.map { (name: $0.name, value: $0.value) } }

    /// Creates headers from name/value pairs, keeping their order.
    public init(_ fields: [(String, String)] = []) {
        storage = fields.map { Field(name: $0.0, value: $0.1) }
    }

    /// Creates headers from a literal list of name/value pairs.
    public init(arrayLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value of the named field, compared without regard to case.
    public subscript(name: String) -> String? {
        let key = name.lowercased()
        return storage.first { $0.key == key }?.value
    }

    /// Every value of the named field, in order.
    public func values(for name: String) -> [String] {
        let key = name.lowercased()
        return storage.filter { $0.key == key }.map(\.value)
    }

    /// Makes room for `count` fields in all.
    public mutating func reserveCapacity(_ count: Int) {
        storage.reserveCapacity(count)
    }

    /// Appends a field, keeping any earlier field of the same name.
    public mutating func add(_ name: String, _ value: String) {
        storage.append(Field(name: name, value: value))
    }

    /// Replaces every field of this name with one field.
    public mutating func set(_ name: String, _ value: String) {
        let field = Field(name: name, value: value)
        storage.removeAll { $0.key == field.key }
        storage.append(field)
    }

    /// Iterates over the fields in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// Headers are equal when they hold the same names and values in the same order.
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.storage.count == rhs.storage.count
            && zip(lhs.storage, rhs.storage).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
