#if canImport(Glibc)
import Glibc
#endif

#if FUZZING
/// libFuzzer's driver (compiler-rt FuzzerDriver.cpp), called from Swift's own main: SwiftPM points `main` at the
/// module's entry point, so libFuzzer's main cannot be the one that runs.
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// The target chosen once per process from the FUZZ_TARGET environment variable.
let selectedTarget: FuzzTarget = {
    guard let name = getenv("FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name) else {
        fatalError("set FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()

/// Under -sanitize=fuzzer and -DFUZZING, the binary is a libFuzzer fuzzer of the target FUZZ_TARGET names.
@main
struct Fuzz {
    static func main() {
        _ = selectedTarget
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            selectedTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
    }
}
#else
/// Without fuzzing, the binary replays saved inputs: `oauth1-fuzz TARGET FILE...` or `oauth1-fuzz --tree DIR...`, where each
/// DIR holds one directory of inputs per target (Tests/fuzz/corpus, Tests/fuzz/regressions).
@main
struct Replay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        var count = 0
        if arguments.first == "--tree" {
            for root in arguments.dropFirst() {
                for target in FuzzTarget.allCases {
                    count += replay(target, files(in: root + "/" + target.rawValue))
                }
            }
        } else if let name = arguments.first, let target = FuzzTarget(rawValue: name) {
            count += replay(target, arguments.dropFirst().flatMap { files(in: $0).isEmpty ? [$0] : files(in: $0) })
        } else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            say("usage: oauth1-fuzz (\(names)) FILE-OR-DIR... | oauth1-fuzz --tree DIR...")
            exit(2)
        }
        print("replayed \(count) inputs, no failure")
    }

    /// Runs each file through the target, naming it first on standard error so a crash points at its input.
    static func replay(_ target: FuzzTarget, _ paths: [String]) -> Int {
        for path in paths {
            guard let bytes = read(path) else {
                say("cannot read \(path)")
                exit(1)
            }
            say("\(target.rawValue) \(path)")
            target.run(bytes)
        }
        return paths.count
    }

    /// The regular files in a directory, sorted; empty when it is not a directory.
    static func files(in directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names = [String]()
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(directory + "/" + name) }
        }
        return names.sorted()
    }

    /// Writes a line to standard error, unbuffered, so it is out before any crash.
    static func say(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }
}
#endif
