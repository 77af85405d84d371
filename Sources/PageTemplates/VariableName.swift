/// A tag's name as a path: `a.b.c` looks `a` up the context stack, then `b` in it, then `c`; `.` is the current value.
struct VariableName: Equatable, Sendable {
    /// The dot-separated parts; empty for `.`.
    let parts: [String]
    /// Whether the first part is looked up in the current value only (a name starting with `.`), not down the stack.
    let currentOnly: Bool

    /// The path `name` spells.
    init(_ name: String) {
        parts = name.split(separator: ".").map(String.init)
        currentOnly = name.hasPrefix(".")
    }
}
