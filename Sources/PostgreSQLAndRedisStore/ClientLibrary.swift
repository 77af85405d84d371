#if canImport(Glibc)
import Glibc
#endif

/// A client library that PostgreSQL or Redis needs cannot be loaded, or lacks a function; the message names the Debian
/// package to install.
public struct ClientLibraryUnavailableError: Error, Sendable, CustomStringConvertible {
    /// What is missing, why, and which package provides it.
    public let description: String
}

/// A shared library opened with `dlopen` on first use and kept open for the life of the process.
struct ClientLibrary {
    private let handle: UnsafeMutableRawPointer
    /// The file name that was opened.
    private let fileName: String
    /// The Debian package that provides the library.
    private let package: String

    /// Opens the first of `fileNames` that loads; `purpose` (such as "PostgreSQL") and `package` make up the error.
    init(fileNames: [String], package: String, purpose: String) throws(ClientLibraryUnavailableError) {
        var reasons: [String] = []
        for fileName in fileNames {
            if let handle = dlopen(fileName, RTLD_NOW | RTLD_LOCAL) {
                self.handle = handle
                self.fileName = fileName
                self.package = package
                return
            }
            reasons.append(dlerror().map { String(cString: $0) } ?? "\(fileName) cannot be loaded")
        }
        throw ClientLibraryUnavailableError(description: "\(purpose) needs \(fileNames.joined(separator: " or ")), which cannot be loaded (\(reasons.joined(separator: "; "))); install the Debian package \(package)")
    }

    /// The function `name`, as the C function type `T` it is declared with; throws when the library lacks it.
    func function<T>(_ name: String) throws(ClientLibraryUnavailableError) -> T {
        guard let symbol = dlsym(handle, name) else {
            throw ClientLibraryUnavailableError(description: "\(fileName) has no function \(name); install a current version of the Debian package \(package)")
        }
        return unsafeBitCast(symbol, to: T.self)
    }
}
