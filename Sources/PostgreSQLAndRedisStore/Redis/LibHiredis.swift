import CHiredis
#if canImport(Glibc)
import Glibc
#endif

/// The hiredis functions this module calls, with the signatures hiredis.h declares, looked up in libhiredis.so.0.14 the
/// first time Redis is used, so that other processes never map hiredis.
struct LibHiredis: Sendable {
    let freeReplyObject: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let redisCommandArgv: @convention(c) (UnsafeMutablePointer<redisContext>?, Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                          UnsafePointer<Int>?) -> UnsafeMutableRawPointer?
    let redisConnectUnixWithTimeout: @convention(c) (UnsafePointer<CChar>?, timeval) -> UnsafeMutablePointer<redisContext>?
    let redisConnectWithTimeout: @convention(c) (UnsafePointer<CChar>?, Int32, timeval) -> UnsafeMutablePointer<redisContext>?
    let redisFree: @convention(c) (UnsafeMutablePointer<redisContext>?) -> Void
    let redisSetTimeout: @convention(c) (UnsafeMutablePointer<redisContext>?, timeval) -> Int32

    /// This process's hiredis, loaded on first access, or why it cannot be.
    static let loaded = Result { () throws(ClientLibraryUnavailableError) in
        try LibHiredis(ClientLibrary(fileNames: ["libhiredis.so.0.14", "libhiredis.so"], package: "libhiredis0.14", purpose: "Redis"))
    }

    /// This process's hiredis; throws, naming the package to install, when it cannot be loaded.
    static func load() throws(ClientLibraryUnavailableError) -> LibHiredis {
        try loaded.get()
    }
}

extension LibHiredis {
    /// Looks up every function in `library`.
    private init(_ library: ClientLibrary) throws(ClientLibraryUnavailableError) {
        freeReplyObject = try library.function("freeReplyObject")
        redisCommandArgv = try library.function("redisCommandArgv")
        redisConnectUnixWithTimeout = try library.function("redisConnectUnixWithTimeout")
        redisConnectWithTimeout = try library.function("redisConnectWithTimeout")
        redisFree = try library.function("redisFree")
        redisSetTimeout = try library.function("redisSetTimeout")
    }
}
