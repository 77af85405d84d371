@testable import OAuth1Gateway
import ProviderCore
import Testing

/// The bytes a response leaves as: the CGI head and the JSON bodies.
@Suite struct ResponseEncodingTests {
    @Test func jsonAnswerHasItsHeadLengthAndBody() {
        let body = JSON.object([("id", "42"), ("username", JSON.string("bench"))])
        let text = String(decoding: ResponseEncoder.encode(.json(body)), as: UTF8.self)
        #expect(text == "Status: 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
            + "X-Content-Type-Options: nosniff\r\nContent-Length: 31\r\n\r\n{\"id\": 42, \"username\": \"bench\"}")
    }

    @Test func jsonStringsEscapeQuotesControlsAndMarkup() {
        #expect(JSON.string("plain") == "\"plain\"")
        #expect(JSON.string("quote\"and\\slash") == "\"quote\\\"and\\\\slash\"")
        #expect(JSON.string("<script>&") == "\"\\u003cscript\\u003e\\u0026\"")
        #expect(JSON.string("tab\there\n\u{1}") == "\"tab\\there\\n\\u0001\"")
        #expect(JSON.string("caf\u{E9}") == "\"caf\u{E9}\"" && JSON.string("") == "\"\"")
        #expect(JSON.object([]) == "{}")
        #expect(JSON.object([("a", "1"), ("b", "[]")]) == "{\"a\": 1, \"b\": []}")
    }

    @Test func headLinesLoseLineBreaksAndNameColonsAndKeepAGivenLength() {
        let response = HTTPResponse(status: 599, headers: [("X-A:b\r", "v\r\n1"), ("content-LENGTH", "3")], body: Array("abcdef".utf8))
        #expect(String(decoding: ResponseEncoder.encode(response, includeBody: false), as: UTF8.self)
            == "Status: 599 Status\r\nX-Ab: v1\r\ncontent-LENGTH: 3\r\n\r\n")
        #expect(String(decoding: ResponseEncoder.encode(.text("No.", status: 404)), as: UTF8.self)
            == "Status: 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
            + "X-Content-Type-Options: nosniff\r\nContent-Length: 4\r\n\r\nNo.\n")
    }
}
