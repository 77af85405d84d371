import CLibPQ

/// The libpq functions this module calls, with the signatures libpq-fe.h declares, looked up in libpq.so.5 the first
/// time PostgreSQL is used, so that other processes never map libpq nor the Kerberos, LDAP and TLS libraries it needs.
struct LibPQ: Sendable {
    let PQclear: @convention(c) (OpaquePointer?) -> Void
    let PQcmdTuples: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    let PQconnectdbParams: @convention(c) (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?, Int32)
        -> OpaquePointer?
    let PQconninfoFree: @convention(c) (UnsafeMutablePointer<PQconninfoOption>?) -> Void
    let PQconninfoParse: @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?)
        -> UnsafeMutablePointer<PQconninfoOption>?
    let PQconsumeInput: @convention(c) (OpaquePointer?) -> Int32
    let PQerrorMessage: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    let PQexec: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
    let PQexecPrepared: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<UnsafePointer<CChar>?>?,
                                        UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32) -> OpaquePointer?
    let PQfinish: @convention(c) (OpaquePointer?) -> Void
    let PQfreemem: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let PQgetisnull: @convention(c) (OpaquePointer?, Int32, Int32) -> Int32
    let PQgetvalue: @convention(c) (OpaquePointer?, Int32, Int32) -> UnsafeMutablePointer<CChar>?
    let PQnfields: @convention(c) (OpaquePointer?) -> Int32
    let PQnotifies: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<PGnotify>?
    let PQntuples: @convention(c) (OpaquePointer?) -> Int32
    let PQprepare: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?)
        -> OpaquePointer?
    let PQresultErrorField: @convention(c) (OpaquePointer?, Int32) -> UnsafeMutablePointer<CChar>?
    let PQresultErrorMessage: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    let PQresultStatus: @convention(c) (OpaquePointer?) -> ExecStatusType
    let PQsetNoticeReceiver: @convention(c) (OpaquePointer?, PQnoticeReceiver?, UnsafeMutableRawPointer?) -> PQnoticeReceiver?
    let PQstatus: @convention(c) (OpaquePointer?) -> ConnStatusType

    /// This process's libpq, loaded on first access, or why it cannot be.
    static let loaded = Result { () throws(ClientLibraryUnavailableError) in
        try LibPQ(ClientLibrary(fileNames: ["libpq.so.5", "libpq.so"], package: "libpq5", purpose: "PostgreSQL"))
    }

    /// This process's libpq; throws, naming the package to install, when it cannot be loaded.
    static func load() throws(ClientLibraryUnavailableError) -> LibPQ {
        try loaded.get()
    }
}

extension LibPQ {
    /// Looks up every function in `library`.
    private init(_ library: ClientLibrary) throws(ClientLibraryUnavailableError) {
        PQclear = try library.function("PQclear")
        PQcmdTuples = try library.function("PQcmdTuples")
        PQconnectdbParams = try library.function("PQconnectdbParams")
        PQconninfoFree = try library.function("PQconninfoFree")
        PQconninfoParse = try library.function("PQconninfoParse")
        PQconsumeInput = try library.function("PQconsumeInput")
        PQerrorMessage = try library.function("PQerrorMessage")
        PQexec = try library.function("PQexec")
        PQexecPrepared = try library.function("PQexecPrepared")
        PQfinish = try library.function("PQfinish")
        PQfreemem = try library.function("PQfreemem")
        PQgetisnull = try library.function("PQgetisnull")
        PQgetvalue = try library.function("PQgetvalue")
        PQnfields = try library.function("PQnfields")
        PQnotifies = try library.function("PQnotifies")
        PQntuples = try library.function("PQntuples")
        PQprepare = try library.function("PQprepare")
        PQresultErrorField = try library.function("PQresultErrorField")
        PQresultErrorMessage = try library.function("PQresultErrorMessage")
        PQresultStatus = try library.function("PQresultStatus")
        PQsetNoticeReceiver = try library.function("PQsetNoticeReceiver")
        PQstatus = try library.function("PQstatus")
    }
}
