import Foundation
@testable import OAuth1Gateway
import Testing

/// The scheme is https when HTTPS is `on` (any ASCII case) or `1`, or REQUEST_SCHEME is `https` (any ASCII case).
@Suite struct SchemeVariableTests {
    @Test func schemeFollowsHTTPSAndRequestScheme() throws {
        let decoder = GatewayRequestDecoder(trustedProxies: [], maximumBodyBytes: 1024, configuredMountPath: nil)
        let values = ["on", "ON", "On", "oN", "1", "off", "", "0", "https", "HTTPS", "Https", "http", "o", "onn", "1 ", "\u{212A}"]
        let secureHTTPS: Set = ["on", "ON", "On", "oN", "1"]
        let secureScheme: Set = ["https", "HTTPS", "Https"]
        for https in values + [nil] {
            for requestScheme in values + [nil] {
                var variables = ["REQUEST_METHOD": "GET", "REQUEST_URI": "/oauth/user", "HTTP_HOST": "api.example.com"]
                variables["HTTPS"] = https
                variables["REQUEST_SCHEME"] = requestScheme
                let expected = https.map(secureHTTPS.contains) == true || requestScheme.map(secureScheme.contains) == true
                let request = try decoder.decode(environment: GatewayEnvironment(variables), body: [])
                #expect(request.http.url.scheme == (expected ? "https" : "http"), "HTTPS \(https ?? "-") REQUEST_SCHEME \(requestScheme ?? "-")")
            }
        }
    }
}

/// The variables from `NAME=value` entries: split at the first `=`, the later of two equal names winning, and the `HTTP_`
/// ones in String order of their names without HTTP_PROXY.
@Suite struct GatewayEnvironmentTests {
    static func entries(_ lines: [String]) -> [[UInt8]] { lines.map { Array($0.utf8) } }

    @Test func entriesSplitAtTheFirstEqualsSignAndTheLaterWins() {
        let environment = GatewayEnvironment(entries: Self.entries(["A=1=2", "B=", "NO_VALUE", "A=3", "=x"]))
        #expect(environment.variables == ["A": "3", "B": "", "": "x"])
    }

    @Test func cStringsDecodeAsEntries() {
        let lines = ["REQUEST_METHOD=GET", "HTTP_HOST=a.example", "REQUEST_METHOD=POST", "EMPTY"]
        let pointers = lines.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        let environment = pointers.withUnsafeBufferPointer { GatewayEnvironment(cStrings: $0.baseAddress) }
        #expect(environment.variables == GatewayEnvironment(entries: Self.entries(lines)).variables)
        #expect(environment["REQUEST_METHOD"] == "POST" && environment["EMPTY"] == nil)
        #expect(GatewayEnvironment(cStrings: nil).variables.isEmpty)
    }

    @Test func headerVariablesAreInStringOrderOfTheirNamesWithoutHTTPProxy() {
        let names = ["HTTP_X_A", "HTTP_X", "HTTP_B", "HTTP_X_", "HTTP_A_LONGER_NAME", "HTTP_A", "HTTP_Z", "HTTP_X_AB", "HTTP_PROXY", "HTTPS"]
        let environment = GatewayEnvironment(entries: Self.entries(names.map { $0 + "=v" }))
        #expect(environment.headerVariables.map(\.name) == names.filter { $0.hasPrefix("HTTP_") && $0 != "HTTP_PROXY" }.sorted())
    }

    @Test func headerNamesComeFromVariableNames() {
        #expect(GatewayRequestDecoder.headerName(fromVariable: "X_FORWARDED_PROTO") == "X-Forwarded-Proto")
        #expect(GatewayRequestDecoder.headerName(fromVariable: "CONTENT_TYPE") == "Content-Type")
        #expect(GatewayRequestDecoder.headerName(fromVariable: "x__y_") == "X-Y")
        #expect(GatewayRequestDecoder.headerName(fromVariable: "") == "")
    }
}
