@testable import OAuth1Gateway
import Foundation
import Mustache
import PageTemplates
import Testing

/// While both renderers are linked: every shipped page, and a set of templates exercising each Mustache rule, rendered by
/// swift-mustache 2.1.1 and by PageTemplates over the fixture contexts and thousands of random ones, byte for byte.
/// `OAUTH1_WRITE_FIXTURES_WITH_SWIFT_MUSTACHE=1` writes Fixtures/pages from swift-mustache's output.
@Suite struct SwiftMustacheEquivalenceTests {
    /// Nil when the two are the same bytes; else where they first differ, with some text of each from there.
    static func difference(_ old: String, _ new: String) -> String? {
        let a = Array(old.utf8), b = Array(new.utf8)
        guard a != b else { return nil }
        let at = zip(a, b).prefix { $0 == $1 }.count
        let from = max(0, at - 40)
        func excerpt(_ bytes: [UInt8]) -> String { String(decoding: bytes[from..<min(bytes.count, at + 40)], as: UTF8.self).debugDescription }
        return "first difference at byte \(at): swift-mustache \(excerpt(a)), PageTemplates \(excerpt(b))"
    }

    /// swift-mustache's rendering of a shipped page, with the site name Pages adds.
    static func swiftMustachePage(_ page: String, _ values: [String: Any]) throws -> String {
        var library = MustacheLibrary()
        for (name, bytes) in Pages.shipped { try library.register(String(decoding: bytes, as: UTF8.self), named: name) }
        var context = values
        context["siteName"] = PageFixtureCases.siteName
        return try #require(library.render(context, withTemplate: page))
    }

    @Test func fixtureContextsRenderTheSameAndAreWrittenFromSwiftMustache() throws {
        let write = ProcessInfo.processInfo.environment["OAUTH1_WRITE_FIXTURES_WITH_SWIFT_MUSTACHE"] == "1"
        for fixture in PageFixtureCases.all {
            let old = try Self.swiftMustachePage(fixture.page, fixture.values)
            let new = try PageFixtureTests.rendered(fixture)
            #expect(Self.difference(old, new) == nil, "\(fixture.fileName)")
            if write {
                try FileManager.default.createDirectory(at: PageFixtureTests.directory, withIntermediateDirectories: true)
                try Data(old.utf8).write(to: PageFixtureTests.directory.appendingPathComponent(fixture.fileName))
            }
        }
    }

    // MARK: Random contexts for the shipped pages

    /// What a context key holds, as the routes fill it.
    indirect enum Shape {
        case text, bool, rows([String: Shape])
    }

    /// The keys each page's route passes (siteName is added by Pages).
    static let shapes: [String: [String: Shape]] = [
        "login": ["title": .text, "action": .text, "next": .text, "username": .text, "csrfToken": .text, "error": .text, "signupLink": .text],
        "signup": ["title": .text, "action": .text, "next": .text, "username": .text, "csrfToken": .text, "loginLink": .text, "error": .text],
        "home": ["title": .text, "username": .text, "csrfToken": .text, "logoutAction": .text, "passwordLink": .text,
                 "everywhereAction": .text, "applicationsLink": .text, "developerLink": .text],
        "authorize": ["title": .text, "clientName": .text, "username": .text, "token": .text, "csrfToken": .text, "action": .text,
                      "logoutAction": .text, "scopes": .rows(["name": .text, "description": .text]), "hasScopes": .bool,
                      "callbackHost": .text, "lifetime": .text],
        "verifier": ["title": .text, "clientName": .text, "verifier": .text],
        "denied": ["title": .text, "clientName": .text],
        "error": ["title": .text, "heading": .text, "message": .text, "code": .text],
        "signed-out": ["title": .text, "everywhere": .bool],
        "applications": ["title": .text, "username": .text, "hasApplications": .bool, "revoked": .bool,
                         "applications": .rows(["clientName": .text, "granted": .text, "lastUsed": .text, "handle": .text,
                                                "hasScopes": .bool, "scopeList": .text, "csrfToken": .text, "revokeAction": .text,
                                                "grantCount": .text, "expires": .text])],
        "developer": ["title": .text, "username": .text, "hasClients": .bool, "newLink": .text,
                      "clients": .rows(["name": .text, "identifier": .text, "created": .text, "disabled": .bool, "editLink": .text])],
        "client-form": ["title": .text, "heading": .text, "csrfToken": .text, "backLink": .text, "action": .text, "submitLabel": .text,
                        "name": .text, "description": .text, "callbacks": .text, "rsaPublicKey": .text, "twoLegged": .bool,
                        "requireBodyHash": .bool, "httpsOnly": .bool, "identifier": .text, "disabled": .bool, "rotateAction": .text,
                        "toggleAction": .text, "deleteAction": .text, "error": .text],
        "client-secret": ["title": .text, "heading": .text, "identifier": .text, "secret": .text, "backLink": .text],
        "password": ["title": .text, "username": .text, "csrfToken": .text, "action": .text, "homeLink": .text, "error": .text],
        "password-changed": ["title": .text, "homeLink": .text],
    ]

    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    /// Pieces random text is made of: markup, quotes, entities, Mustache-looking text, line breaks, non-ASCII (no combining
    /// marks after the escaped characters: there the renderers differ on purpose, see escapingDifference below).
    static let pieces = ["a", "Printer", " ", "<", ">", "&", "\"", "'", "&amp;", "{{x}}", "{{{", "}}", "\n", "\r\n", "\t", "caf\u{E9}",
                         "\u{1F600}", "e\u{301}", "/oauth/", "?a=1&b=2", "", "\u{0}", "é"]

    static func text(_ random: inout Generator) -> String {
        (0..<random.below(6)).map { _ in pieces[random.below(pieces.count)] }.joined()
    }

    static func value(_ shape: Shape, _ random: inout Generator) -> Any {
        switch shape {
        case .text: return text(&random)
        case .bool: return random.below(2) == 0
        case .rows(let row):
            return (0..<random.below(4)).map { _ in context(row, &random) }
        }
    }

    /// A context with each key present three times in four.
    static func context(_ shape: [String: Shape], _ random: inout Generator) -> [String: Any] {
        var context = [String: Any]()
        for (key, keyShape) in shape.sorted(by: { $0.key < $1.key }) where random.below(4) != 0 {
            context[key] = value(keyShape, &random)
        }
        return context
    }

    @Test func randomContextsRenderTheSameOnEveryPage() throws {
        var random = Generator(state: 17)
        var compared = 0
        for (page, shape) in Self.shapes.sorted(by: { $0.key < $1.key }) {
            for _ in 0..<300 {
                let values = Self.context(shape, &random)
                let old = try Self.swiftMustachePage(page, values)
                let new = try PageFixtureTests.rendered(PageFixtureCases.Case(page: page, name: "random", values: values))
                #expect(Self.difference(old, new) == nil, "\(page) with \(values)")
                compared += 1
            }
        }
        #expect(compared == 300 * Pages.shipped.count - 600)
    }

    // MARK: The rules, on small templates

    static let templates = [
        "{{v}}", "{{{v}}}", "{{& v}}", "[{{ v }}]", "{{a.b.c}}", "{{#a}}{{b.c}}{{/a}}", "{{#a}}{{#b}}{{c}}{{v}}{{/b}}{{/a}}",
        "{{#list}}<{{.}}>{{/list}}", "{{#rows}}{{name}}/{{v}};{{/rows}}", "{{^rows}}none{{/rows}}", "{{^v}}no v{{/v}}",
        "{{#t}}yes{{/t}}{{^t}}no{{/t}}", "a\n  {{#t}}  \nb\n\t{{/t}}\nc\n", "a\n{{! comment }}\nb", "a {{#t}}b{{/t}} c\n",
        " {{#t}}{{/t}}\nx", "{{v}}\n{{#t}}\nx\n{{/t}}\n", "  {{v}}\n", "a\r\n{{#t}}\r\nb\r\n{{/t}}\r\n", "  {{#t}}\nb\n  {{/t}}",
        "{{> p}}\n<h1>{{v}}</h1>\n", "<ul>{{#rows}}{{> row}}{{/rows}}</ul>", "[{{> nonexistent}}]", "\\\n {{>ind}}\n/\n",
        "a {{> p}}b", "{{=<% %>=}}<% v %> {{v}} <%={{ }}=%>{{v}}", "a\n{{=| |=}}\n|#t|\nb\n|/t|\n", "{{#v}}[{{.}}]{{/v}}",
        "{{#a}}{{.b.c}}|{{.v}}{{/a}}", "x{{!c}}\n{{#t}}\n{{/t}}\ny", "{{#t}}\n{{#a}}\n{{b.c}}\n{{/a}}\n{{/t}}\n",
        "  {{> p}}\n  {{> row}}\n", "{{#rows}}\n  {{> row}}\n{{/rows}}\n",
    ]

    static let partials = ["p": "<title>{{v}}</title>\n", "row": "<li>{{name}}</li>", "ind": "|\n{{{v}}}\n|\n"]

    static var contexts: [[String: Any]] { [
        [:],
        ["v": "<b>\"Tom\" & 'Jerry'</b>", "t": true, "a": ["b": ["c": "deep"]], "list": ["x", "y"],
         "rows": [["name": "a"], ["name": "<b>", "v": "inner"]]],
        ["v": "", "t": false, "a": ["b": [String: Any]()], "list": [String](), "rows": [[String: Any]]()],
        ["v": "line\nbreak", "t": true, "a": ["v": "in a", "b": ["c": ""]], "rows": [["name": "only"]]],
    ] }

    @Test func ruleTemplatesRenderTheSame() throws {
        for template in Self.templates {
            var old = MustacheLibrary()
            var new = TemplateLibrary()
            for (name, text) in Self.partials {
                try old.register(text, named: name)
                try new.register(text, named: name)
            }
            try old.register(template, named: "t0")
            try new.register(template, named: "t0")
            for context in Self.contexts {
                let expected = try #require(old.render(context, withTemplate: "t0"))
                let actual = try #require(new.render(context, template: "t0"))
                #expect(Self.difference(expected, actual) == nil, "\(template.debugDescription) with \(context)")
            }
        }
    }

    @Test func brokenTemplatesFailInBoth() {
        for broken in ["{{#a}}", "{{#a}}{{/b}}", "{{/a}}", "{{name", "{{{name}}", "{{#a}}{{#b}}{{/a}}{{/b}}"] {
            #expect((try? MustacheTemplate(string: broken)) == nil, "\(broken)")
            #expect((try? Template(broken)) == nil, "\(broken)")
        }
    }

    /// The one deliberate difference: swift-mustache escapes by Character, so a quote or `<` followed by a combining mark is
    /// one Character it does not escape; PageTemplates escapes every one of the five characters.
    @Test func escapingDifference() throws {
        let value = "x\"\u{301} autofocus"
        var old = MustacheLibrary()
        try old.register("<input value=\"{{v}}\">", named: "t")
        #expect(old.render(["v": value], withTemplate: "t") == "<input value=\"x\"\u{301} autofocus\">")
        #expect(try Template("<input value=\"{{v}}\">").render(["v": value]) == "<input value=\"x&quot;\u{301} autofocus\">")
    }
}
