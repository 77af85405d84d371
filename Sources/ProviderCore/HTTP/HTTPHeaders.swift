/// An ordered list of HTTP header fields with case-insensitive lookup by name.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByArrayLiteral {
    fileprivate struct Field: Sendable {
        let name: String
        let value: String
        /// Whether the name is ASCII, noted once when the field is added: two ASCII names then compare byte by byte.
        let nameIsASCII: Bool

        init(name: String, value: String) {
            self.name = name
            self.value = value
            nameIsASCII = name.containsOnlyASCII
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
        let name = FieldName(name)
        for field in storage where name.matches(field) { return field.value }
        return nil
    }

    /// Every value of the named field, in order.
    public func values(for name: String) -> [String] {
        let name = FieldName(name)
        return storage.compactMap { name.matches($0) ? $0.value : nil }
    }

    /// Calls `body` with every value of the named field, in order, without collecting them into an array.
    public func forEachValue(for name: String, _ body: (String) throws -> Void) rethrows {
        let name = FieldName(name)
        for field in storage where name.matches(field) { try body(field.value) }
    }

    /// Makes room for `count` fields in all, so that adding them one by one allocates once.
    public mutating func reserveCapacity(_ count: Int) {
        storage.reserveCapacity(count)
    }

    /// Appends a field, keeping any earlier field of the same name.
    public mutating func add(_ name: String, _ value: String) {
        storage.append(Field(name: name, value: value))
    }

    /// Replaces every field of this name with one field.
    public mutating func set(_ name: String, _ value: String) {
        let fieldName = FieldName(name)
        storage.removeAll { fieldName.matches($0) }
        storage.append(Field(name: name, value: value))
    }

    /// Iterates over the fields in order, without building the `fields` array.
    public func makeIterator() -> Iterator {
        Iterator(base: storage.makeIterator())
    }

    /// An iterator over the fields in order.
    public struct Iterator: IteratorProtocol {
        fileprivate var base: IndexingIterator<[Field]>

        /// The next field's name and value, or nil at the end.
        public mutating func next() -> (name: String, value: String)? {
            base.next().map { (name: $0.name, value: $0.value) }
        }
    }

    /// A name looked up: fields match when their lookup keys are equal Strings. Two ASCII names (every real field name)
    /// are compared byte by byte with ASCII case folded, which is that equality without building either key.
    private struct FieldName {
        let name: String
        let isASCII: Bool

        init(_ name: String) {
            self.name = name
            isASCII = name.containsOnlyASCII
        }

        func matches(_ field: Field) -> Bool {
            guard isASCII, field.nameIsASCII else { return HTTPHeaders.key(name) == HTTPHeaders.key(field.name) }
            // The same spelling (the usual lookup) is answered by String equality, which is byte equality for ASCII.
            return name.utf8.count == field.name.utf8.count && (name == field.name || name.isASCIICaseInsensitiveEqual(toASCII: field.name))
        }
    }

    /// The lookup key of a field name: the name lowercased.
    fileprivate static func key(_ name: String) -> String {
        name.lowercased()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.storage.count == rhs.storage.count
            && zip(lhs.storage, rhs.storage).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
