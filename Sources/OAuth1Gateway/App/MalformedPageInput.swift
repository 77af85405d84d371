import ProviderCore

/// A page's query string or form body that cannot be decoded, such as a `%` not followed by two hexadecimal digits (RFC 3986
/// section 2.1): answered with a 400 page that says which part is malformed, never read as if the bad part were absent.
struct MalformedPageInput: Error {
    /// What is wrong, as a sentence.
    let sentence: String

    /// The query string does not decode.
    static func query(_ error: PercentDecodingError) -> MalformedPageInput {
        MalformedPageInput(sentence: "The query string \(error.sentence); percent-encode it as RFC 3986 section 2.1 describes.")
    }

    /// The form body does not decode.
    static func formBody(_ error: PercentDecodingError) -> MalformedPageInput {
        MalformedPageInput(sentence: "The form body \(error.sentence); percent-encode it as RFC 3986 section 2.1 describes.")
    }

    /// The form body is not UTF-8 text.
    static let formBodyNotUTF8 = MalformedPageInput(sentence: "The form body is not UTF-8 text; percent-encode every non-ASCII byte.")

    /// The 400 page.
    func response(_ pages: Pages) -> HTTPResponse {
        pages.error(400, heading: "This request is malformed", message: sentence, code: "parameter_rejected")
    }
}
