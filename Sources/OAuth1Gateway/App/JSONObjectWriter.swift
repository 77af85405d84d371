/// A JSON object written member by member straight into bytes: the body of a response, without a String per member.
struct JSONObjectWriter {
    private var bytes = [UInt8]()
    private var hasMembers = false

    /// Starts an object with room for `capacity` bytes.
    init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// Adds a member whose value is a JSON string.
    mutating func add(_ key: String, string value: String) {
        startMember(key)
        appendString(value)
    }

    /// Adds a member whose value is an integer.
    mutating func add(_ key: String, integer value: Int64) {
        startMember(key)
        bytes.appendDecimal(value)
    }

    /// Adds a member whose value is already JSON text.
    mutating func add(_ key: String, json value: String) {
        startMember(key)
        bytes.append(utf8Of: value)
    }

    /// The object's bytes: `{"key": value, ...}`, the layout `JSON.object` has always written.
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func startMember(_ key: String) {
        if hasMembers { bytes.append(literal: ", ") }
        hasMembers = true
        appendString(key)
        bytes.append(literal: ": ")
    }

    /// A string in quotes: copied as it is when nothing in it needs escaping, else escaped by `JSON.string`.
    private mutating func appendString(_ value: String) {
        var value = value
        let copied = value.withUTF8 { text -> Bool in
            guard JSON.isPlain(text) else { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: text)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if !copied { bytes.append(utf8Of: JSON.string(value)) }
    }
}
