import Foundation
@testable import OAuth1Gateway
import Testing

/// The environment's variable names are recognised by their bytes exactly as a comparison with every name would.
@Suite struct GatewayEnvironmentTests {
    typealias Variable = GatewayEnvironment.Variable

    /// The reference: the variable whose whole name equals these bytes, found by trying every one.
    static func lookedUpOneByOne(_ name: [UInt8]) -> Variable? {
        Variable.allCases.first { variable in
            variable.name.withUTF8Buffer { Array($0) } == name
        }
    }

    static func recognised(_ name: [UInt8]) -> Variable? {
        name.withUnsafeBytes { Variable(name: $0) }
    }

    /// Values are kept by raw value in an array of one slot per variable: raw values must number the slots.
    @Test func everyVariableHasASlotOfItsOwn() {
        #expect(Variable.allCases.map(\.rawValue) == Array(0..<Variable.allCases.count))
    }

    @Test func everyNameAndEveryOneByteChangeOfItIsRecognisedAsByComparison() {
        for variable in Variable.allCases {
            let name = variable.name.withUTF8Buffer { Array($0) }
            #expect(Self.recognised(name) == variable)
            for index in name.indices {
                for replacement: UInt8 in [0x00, 0x41, 0x5F, 0x61, 0x7A, 0xC3, name[index] ^ 0x20, name[index] &+ 1] {
                    var changed = name
                    changed[index] = replacement
                    #expect(Self.recognised(changed) == Self.lookedUpOneByOne(changed), "\(String(decoding: changed, as: UTF8.self))")
                }
            }
            #expect(Self.recognised(Array(name.dropLast())) == Self.lookedUpOneByOne(Array(name.dropLast())))
            #expect(Self.recognised(name + [0x5F]) == nil)
        }
    }

    @Test func otherNamesOfEveryLengthAreNotVariables() {
        for length in 0...40 {
            for fill: UInt8 in [0x41, 0x5F, 0x52, 0x53] {
                let name = [UInt8](repeating: fill, count: length)
                #expect(Self.recognised(name) == Self.lookedUpOneByOne(name))
            }
        }
        #expect(Self.recognised(Array("HTTP_HOST".utf8)) == nil)
        #expect(Self.recognised(Array("https".utf8)) == nil)
    }
}

/// `HTTP_` variables become the header names the client sent, capitalized word by word.
@Suite struct HeaderNameTests {
    @Test(arguments: [("HTTP_AUTHORIZATION", "Authorization"), ("HTTP_HOST", "Host"), ("HTTP_X_FORWARDED_PROTO", "X-Forwarded-Proto"),
                      ("HTTP_CONTENT_TYPE", "Content-Type"), ("HTTP_USER_AGENT", "User-Agent"), ("HTTP_X__Y_", "X-Y"),
                      ("HTTP_ÉTÉ_A", "Été-A")])
    func variablesBecomeHeaderNames(_ variable: String, _ name: String) {
        #expect(Array(variable.utf8).withUnsafeBytes { GatewayRequestDecoder.headerName(fromHTTPVariable: $0) } == name)
    }
}

/// The scheme is read from HTTPS and REQUEST_SCHEME as bytes, with the answer the String comparison gave.
@Suite struct SchemeVariableTests {
    @Test func schemeFollowsTheStringRule() throws {
        let decoder = GatewayRequestDecoder(trustedProxies: [], maximumBodyBytes: 1024, configuredMountPath: nil)
        let values = ["on", "ON", "On", "oN", "1", "off", "", "0", "https", "HTTPS", "Https", "http", "o", "onn", "1 ", "\u{212A}"]
        for https in values + [nil] {
            for requestScheme in values + [nil] {
                var variables = ["REQUEST_METHOD": "GET", "REQUEST_URI": "/oauth/user", "HTTP_HOST": "api.example.com"]
                variables["HTTPS"] = https
                variables["REQUEST_SCHEME"] = requestScheme
                let expected = (https.map { GatewayRequestDecoder.equalsIgnoringASCIICase($0, "on") || $0 == "1" } ?? false)
                    || (requestScheme.map { GatewayRequestDecoder.equalsIgnoringASCIICase($0, "https") } ?? false)
                let request = try decoder.decode(environment: GatewayEnvironment(variables), body: [])
                #expect(request.http.url.scheme == (expected ? "https" : "http"), "HTTPS \(https ?? "-") REQUEST_SCHEME \(requestScheme ?? "-")")
            }
        }
    }
}

/// The environment's byte storage keeps value semantics, and header variables come out in String order of their names.
@Suite struct GatewayEnvironmentStorageTests {
    static func entries(_ lines: [String]) -> [ArraySlice<UInt8>] { lines.map { ArraySlice(Array($0.utf8)) } }

    @Test func aCopyKeepsItsVariablesWhenTheOriginalIsReloaded() {
        var environment = GatewayEnvironment(entries: Self.entries(["REQUEST_METHOD=GET", "HTTP_HOST=a.example"]))
        let copy = environment
        let lines = ["REQUEST_METHOD=POST", "HTTP_HOST=" + String(repeating: "b", count: 5000)]
        var pointers = lines.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        pointers.withUnsafeBufferPointer { environment.load(cStrings: $0.baseAddress!) }
        #expect(copy[.requestMethod] == "GET" && environment[.requestMethod] == "POST")
        var copied = [String]()
        copy.forEachHeaderVariable { _, value in copied.append(String(decoding: value, as: UTF8.self)) }
        #expect(copied == ["a.example"])
    }

    @Test func headerVariablesAreInStringOrderOfTheirNames() {
        let names = ["HTTP_X_A", "HTTP_X", "HTTP_B", "HTTP_X_", "HTTP_A_LONGER_NAME", "HTTP_A", "HTTP_Z", "HTTP_X_AB"]
        let environment = GatewayEnvironment(entries: Self.entries(names.map { $0 + "=v" }))
        var order = [String]()
        environment.forEachHeaderVariable { name, _ in order.append(String(decoding: name, as: UTF8.self)) }
        #expect(order == names.sorted())
    }
}
