/// A parsed template: literal text, interpolations, sections and partials.
indirect enum TemplateNode: Sendable {
    /// Literal text, as UTF-8.
    case text([UInt8])
    /// A value, HTML-escaped or not.
    case variable(VariableName, escaped: Bool)
    /// A section, rendered for a true, non-empty or present value (or, inverted, for a false, empty or absent one).
    case section(VariableName, inverted: Bool, children: [TemplateNode])
    /// Another template of the library; `indentation` is nil for a partial that shares its line with other text.
    case partial(String, indentation: [UInt8]?)
}
