/// A parsed Mustache template (the specification's interpolation, sections, inverted sections, comments, partials and
/// delimiter changes; no lambdas, inheritance or transforms).
public struct Template: Sendable {
    /// The parsed nodes.
    let nodes: [TemplateNode]

    /// Parses `source`; a section left open, an end tag that does not match, or a tag not closed is an error with its line.
    public init(_ source: String) throws(TemplateSyntaxError) {
        nodes = try TemplateParser.parse(source)
    }

    /// The template rendered with `context` (values HTML-escaped unless in `{{{…}}}` or `{{&…}}`) and no partials.
    public func render(_ context: [String: Any]) -> String {
        TemplateLibrary(templates: [:]).render(context, with: self)
    }
}
