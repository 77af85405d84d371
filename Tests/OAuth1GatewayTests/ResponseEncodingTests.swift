@testable import OAuth1Gateway
import ProviderCore
import Testing

/// The bytes a response leaves as: the CGI head and the JSON bodies, written without Strings in between.
@Suite struct ResponseEncodingTests {
    @Test func jsonAnswerHasItsHeadLengthAndBody() {
        var object = JSONObjectWriter()
        object.add("id", integer: 42)
        object.add("username", string: "bench")
        let text = String(decoding: ResponseEncoder.encode(.json(object.finish())), as: UTF8.self)
        #expect(text == "Status: 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
            + "X-Content-Type-Options: nosniff\r\nContent-Length: 31\r\n\r\n{\"id\": 42, \"username\": \"bench\"}")
    }

    @Test func writerEscapesWhatJSONStringEscapes() {
        for name in ["plain", "quote\"and\\slash", "<script>&", "tab\there", "caf\u{E9}", "\u{1}", ""] {
            var object = JSONObjectWriter()
            object.add("id", integer: -7)
            object.add("username", string: name)
            #expect(String(decoding: object.finish(), as: UTF8.self) == "{\"id\": -7, \"username\": " + JSON.string(name) + "}")
        }
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
