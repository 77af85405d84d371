import PageTemplates
import Testing

/// The rules of the pages' Mustache renderer: interpolation and escaping, sections, inverted sections, comments,
/// partials with their indentation, delimiter changes, standalone lines, and parse errors.
@Suite struct PageTemplateTests {
    private func render(_ source: String, _ context: [String: Any] = [:], partials: [String: String] = [:]) throws -> String {
        var library = TemplateLibrary()
        for (name, text) in partials { try library.register(text, named: name) }
        try library.register(source, named: "page")
        return try #require(library.render(context, template: "page"))
    }

    private func syntaxError(_ source: String) -> TemplateSyntaxError? {
        do {
            _ = try Template(source)
            return nil
        } catch {
            return error
        }
    }

    @Test func variablesAreEscapedUnlessTripleOrAmpersand() throws {
        let value = "<a href=\"x\">Tom & Jerry's</a>"
        #expect(try render("{{v}}", ["v": value]) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect(try render("{{{v}}}", ["v": value]) == value)
        #expect(try render("{{& v}}", ["v": value]) == value)
        #expect(try render("[{{ v }}]", ["v": "caf\u{E9} \u{1F600}"]) == "[caf\u{E9} \u{1F600}]")
    }

    @Test func escapingDoesNotSkipAQuoteFollowedByACombiningMark() throws {
        // One Character ("\"" and U+0301) to Swift; an HTML parser still ends the attribute at the quote.
        #expect(try render("<input value=\"{{v}}\">", ["v": "x\"\u{301} autofocus"]) == "<input value=\"x&quot;\u{301} autofocus\">")
        #expect(try render("{{v}}", ["v": "<\u{338}&\u{20D2}'\u{301}"]) == "&lt;\u{338}&amp;\u{20D2}&#39;\u{301}")
    }

    @Test func missingValuesRenderNothingAndOtherValuesTheirDescription() throws {
        #expect(try render("[{{missing}}][{{{missing}}}]") == "[][]")
        #expect(try render("{{t}} {{f}} {{n}}", ["t": true, "f": false, "n": 42]) == "true false 42")
        #expect(try render("[{{nothing}}]", ["nothing": String?.none as Any]) == "[]")
        #expect(try render("[{{list}}{{object}}]", ["list": ["a"], "object": ["a": "b"]]) == "[]")
    }

    @Test func dottedNamesAndTheCurrentValue() throws {
        let context: [String: Any] = ["a": ["b": ["c": "deep"]], "name": "outer"]
        #expect(try render("{{a.b.c}}", context) == "deep")
        #expect(try render("[{{a.x.c}}]", context) == "[]")
        #expect(try render("{{#a}}{{#b}}{{c}} {{name}}{{/b}}{{/a}}", context) == "deep outer")
        // A dotted name looks its first part up the stack, and no further once found.
        #expect(try render("{{#a}}[{{b.name}}]{{/a}}", context) == "[]")
        #expect(try render("{{#list}}<{{.}}>{{/list}}", ["list": ["x", "y"]]) == "<x><y>")
        // A leading dot looks in the current value only.
        #expect(try render("{{#a}}[{{.name}}|{{name}}]{{/a}}", context) == "[|outer]")
    }

    @Test func sectionsOverBooleansListsObjectsAndText() throws {
        #expect(try render("{{#t}}yes{{/t}}{{#f}}no{{/f}}", ["t": true, "f": false]) == "yes")
        #expect(try render("{{#items}}{{name}},{{/items}}", ["items": [["name": "a"], ["name": "b"]]]) == "a,b,")
        #expect(try render("{{#items}}x{{/items}}", ["items": [[String: Any]]()]) == "")
        #expect(try render("{{#user}}{{name}}{{/user}}", ["user": ["name": "ann"]]) == "ann")
        // Present text, even empty, shows the section once with the text on top.
        #expect(try render("{{#error}}<{{.}}>{{/error}}", ["error": "bad"]) == "<bad>")
        #expect(try render("{{#error}}shown{{/error}}", ["error": ""]) == "shown")
        #expect(try render("{{#missing}}shown{{/missing}}") == "")
        // Outer names stay visible inside a list element.
        #expect(try render("{{#items}}{{name}}/{{csrf}} {{/items}}", ["csrf": "T", "items": [["name": "a"], ["name": "b", "csrf": "U"]]])
            == "a/T b/U ")
        #expect(try render("{{#scopes}}{{name}}={{description}};{{/scopes}}", ["scopes": [["name": "read", "description": "Read"]]])
            == "read=Read;")
    }

    @Test func invertedSectionsShowForFalseEmptyAndAbsent() throws {
        let context: [String: Any] = ["f": false, "t": true, "empty": [String](), "full": ["x"], "text": ""]
        #expect(try render("{{^f}}a{{/f}}{{^t}}b{{/t}}{{^empty}}c{{/empty}}{{^full}}d{{/full}}{{^missing}}e{{/missing}}{{^text}}f{{/text}}", context)
            == "ace")
    }

    @Test func commentsRenderNothing() throws {
        #expect(try render("a{{! a comment\nover two lines }}b") == "ab")
    }

    @Test func standaloneTagsTakeTheirWholeLine() throws {
        #expect(try render("a\n  {{#t}}  \nb\n\t{{/t}}\nc\n", ["t": true]) == "a\nb\nc\n")
        #expect(try render("a\n{{! comment }}\nb") == "a\nb")
        #expect(try render("a\r\n{{#t}}\r\nb\r\n{{/t}}\r\n", ["t": true]) == "a\r\nb\r\n")
        #expect(try render("  {{#t}}\nb\n  {{/t}}", ["t": true]) == "b\n")
        // Not alone on the line: the whitespace and line ending stay.
        #expect(try render("a {{#t}}b{{/t}} c\n", ["t": true]) == "a b c\n")
        #expect(try render(" {{#t}}{{/t}}\nx", ["t": true]) == " \nx")
        #expect(try render("{{v}}\n{{#t}}\nx\n{{/t}}\n", ["v": "V", "t": true]) == "V\nx\n")
        // Interpolation never stands alone.
        #expect(try render("  {{v}}\n", ["v": ""]) == "  \n")
    }

    @Test func partialsRenderWithTheCurrentContext() throws {
        let partials = ["header": "<title>{{title}}</title>\n", "row": "<li>{{name}}</li>"]
        #expect(try render("{{> header}}\n<h1>{{title}}</h1>\n", ["title": "T"], partials: partials) == "<title>T</title>\n<h1>T</h1>\n")
        #expect(try render("<ul>{{#items}}{{>row}}{{/items}}</ul>", ["items": [["name": "a"], ["name": "b"]]], partials: partials)
            == "<ul><li>a</li><li>b</li></ul>")
        #expect(try render("[{{> nonexistent}}]") == "[]")
    }

    @Test func standalonePartialsIndentEveryLine() throws {
        let partials = ["p": "|\n{{{content}}}\n|\n", "inner": "x\ny\n", "outer": "<\n  {{> inner}}\n>\n"]
        #expect(try render("\\\n {{>p}}\n/\n", ["content": "<\n->"], partials: partials) == "\\\n |\n <\n->\n |\n/\n")
        #expect(try render("  {{> outer}}", partials: partials) == "  <\n    x\n    y\n  >\n")
        // Inline, a partial is not indented.
        #expect(try render("a {{> inner}}b", partials: partials) == "a x\ny\nb")
    }

    @Test func aPartialThatIncludesItselfStops() throws {
        let output = try render("{{> page}}", partials: [:])
        #expect(output.isEmpty)
        // Twice per level would be 2^64 expansions without the limit on their number.
        let doubling = try render("x{{> page}}{{> page}}")
        #expect(doubling.count == 10_001 && doubling.allSatisfy { $0 == "x" })
        let tree: [String: Any] = ["name": "a", "kids": [["name": "b", "kids": [["name": "c", "kids": [Any]()]]], ["name": "d", "kids": [Any]()]]]
        #expect(try render("{{name}}({{#kids}}{{> page}}{{/kids}})", tree) == "a(b(c())d())")
    }

    @Test func delimitersCanBeChanged() throws {
        #expect(try render("{{=<% %>=}}<% v %> {{v}} <%={{ }}=%>{{v}}", ["v": "x"]) == "x {{v}} x")
        #expect(try render("a\n{{=| |=}}\n|#t|\nb\n|/t|\n", ["t": true]) == "a\nb\n")
        #expect(syntaxError("{{=<%=}}")?.line == 1)
    }

    @Test func parseErrorsSayWhatAndWhere() {
        #expect(syntaxError("a\n{{#open}}\nb") == TemplateSyntaxError(line: 2, "the section 'open' is never closed"))
        #expect(syntaxError("{{#a}}\n{{#b}}\n{{/a}}") == TemplateSyntaxError(line: 3, "{{/a}} does not close the section 'b' opened on line 2"))
        #expect(syntaxError("x\n\n{{/a}}") == TemplateSyntaxError(line: 3, "{{/a}} closes no section"))
        #expect(syntaxError("one\n{{name") == TemplateSyntaxError(line: 2, "a tag opened with {{ is not closed with }}"))
        #expect(syntaxError("{{{name}}") == TemplateSyntaxError(line: 1, "a tag opened with {{ is not closed with }}}"))
        #expect(syntaxError("{{ }}") == TemplateSyntaxError(line: 1, "a tag has no name"))
        #expect(syntaxError("{{first name}}") == TemplateSyntaxError(line: 1, "the name 'first name' contains a space"))
        #expect(syntaxError("{{uppercased(name)}}")?.message.contains("transform") == true)
        #expect(syntaxError("{{<parent}}{{/parent}}")?.message.contains("not supported") == true)
        #expect(syntaxError("a\n{{!x}}\n{{#s}}\n").map(String.init(describing:)) == "line 3: the section 's' is never closed")
    }
}
