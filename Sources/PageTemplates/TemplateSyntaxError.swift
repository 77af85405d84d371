/// Why a template does not parse, with the line (counted from 1) where the problem is.
public struct TemplateSyntaxError: Error, CustomStringConvertible, Equatable {
    /// The line of the template, counted from 1, where the offending tag starts.
    public let line: Int
    /// What is wrong, as a sentence fragment.
    public let message: String

    /// An error at `line` saying `message`.
    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    /// "line N: message".
    public var description: String { "line \(line): \(message)" }
}
