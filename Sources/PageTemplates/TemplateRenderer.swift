/// Renders node trees into UTF-8 against a context stack, with the partials of a library and their indentation.
struct TemplateRenderer {
    /// How deep partials may nest, so that a template that includes itself ends instead of exhausting the stack.
    static let partialDepthLimit = 64
    /// How many partials one rendering may expand, so that a template including itself twice ends too (2^64 would not).
    static let partialExpansionLimit = 10_000

    /// The templates partials are looked up in.
    let partials: [String: Template]
    /// The rendered bytes so far.
    private(set) var output = [UInt8]()
    /// The values sections have opened, innermost last; names are looked up from the last to the first.
    private var stack: [TemplateValue]
    /// What starts every line of the standalone partials being rendered (the indentation of each, added up).
    private var indentation = [UInt8]()
    /// Whether the next byte of template text starts a line, and so gets the indentation first.
    private var atLineStart = true
    /// How many partials are being rendered inside one another.
    private var partialDepth = 0
    /// How many partials this rendering has expanded.
    private var partialExpansions = 0

    /// A renderer whose context stack holds `context`.
    init(context: TemplateValue, partials: [String: Template]) {
        self.partials = partials
        self.stack = [context]
    }

    /// Renders `nodes` after what is already rendered.
    mutating func render(_ nodes: [TemplateNode]) {
        for node in nodes {
            switch node {
            case .text(let bytes):
                appendTemplateText(bytes)
            case .variable(let name, let escaped):
                switch lookUp(name) {
                case .text(let text)?: appendValue(text, escaped: escaped)
                case .bool(let bool)?: appendValue(bool ? "true" : "false", escaped: escaped)
                case .list?, .object?, nil: break
                }
            case .section(let name, let inverted, let children):
                renderSection(lookUp(name), inverted: inverted, children)
            case .partial(let name, let partialIndentation):
                renderPartial(name, indentation: partialIndentation)
            }
        }
    }

    /// A section shows for true, once per element of a non-empty list, and once with any other present value on the stack
    /// (empty text included); an inverted one shows exactly when a section would not.
    private mutating func renderSection(_ value: TemplateValue?, inverted: Bool, _ children: [TemplateNode]) {
        switch value {
        case nil:
            if inverted { render(children) }
        case .bool(let bool)?:
            if bool != inverted { render(children) }
        case .list(let elements)?:
            if inverted {
                if elements.isEmpty { render(children) }
            } else {
                for element in elements { renderWithTop(element, children) }
            }
        case let value?:
            if !inverted { renderWithTop(value, children) }
        }
    }

    /// Renders `children` with `value` on top of the context stack.
    private mutating func renderWithTop(_ value: TemplateValue, _ children: [TemplateNode]) {
        stack.append(value)
        render(children)
        stack.removeLast()
    }

    /// Renders the partial `name` (nothing if the library has none by that name, or past the limits); a standalone one is
    /// indented.
    private mutating func renderPartial(_ name: String, indentation partialIndentation: [UInt8]?) {
        guard let template = partials[name], partialDepth < Self.partialDepthLimit,
              partialExpansions < Self.partialExpansionLimit else { return }
        partialExpansions += 1
        partialDepth += 1
        defer { partialDepth -= 1 }
        guard let partialIndentation else {
            render(template.nodes)
            return
        }
        let outer = indentation
        indentation += partialIndentation
        atLineStart = true
        render(template.nodes)
        indentation = outer
        // The partial's tag took its whole line, so what follows in this template starts a line.
        atLineStart = true
    }

    /// The value `name` names: its first part from the innermost value that has it, the rest inside that one.
    private func lookUp(_ name: VariableName) -> TemplateValue? {
        guard let first = name.parts.first else { return stack.last }
        var value: TemplateValue?
        if name.currentOnly {
            value = stack.last?.member(first)
        } else {
            value = stack.reversed().lazy.compactMap { $0.member(first) }.first
        }
        for part in name.parts.dropFirst() { value = value?.member(part) }
        return value
    }

    /// Appends template text, indenting each line it starts when inside an indented partial.
    private mutating func appendTemplateText(_ bytes: [UInt8]) {
        guard !indentation.isEmpty else {
            output.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            if atLineStart {
                output.append(contentsOf: indentation)
                atLineStart = false
            }
            output.append(byte)
            if byte == UInt8(ascii: "\n") { atLineStart = true }
        }
    }

    /// Appends an interpolated value; line breaks inside it are the value's and get no indentation.
    private mutating func appendValue(_ text: String, escaped: Bool) {
        guard !text.isEmpty else { return }
        if atLineStart && !indentation.isEmpty {
            output.append(contentsOf: indentation)
        }
        atLineStart = false
        if escaped {
            HTMLEscaping.append(text, to: &output)
        } else {
            output.append(contentsOf: text.utf8)
        }
    }
}
