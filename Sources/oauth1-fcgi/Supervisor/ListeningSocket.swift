#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's listening socket: one it binds itself (`--listen`), or one the service manager passed.
enum ListeningSocket: CustomStringConvertible {
    /// Bound by the supervisor at `address`, a unix socket with `socketMode`; its file is removed when the supervisor stops.
    case bind(ListenAddress, socketMode: mode_t)
    /// Already listening, passed by the service manager (socket activation), which owns the socket and its file.
    case inherited(descriptor: Int32)

    /// The listening descriptor, bound now when it is ours to bind.
    func open() throws -> Int32 {
        switch self {
        case .bind(let address, let socketMode): return try address.bind(socketMode: socketMode)
        case .inherited(let descriptor): return descriptor
        }
    }

    /// The device and inode of a socket file the supervisor bound, to tell it later from one another supervisor bound.
    func boundFileIdentity() -> [UInt64]? {
        guard case .bind(let address, _) = self else { return nil }
        return address.socketFileIdentity()
    }

    /// Removes the unix socket file the supervisor bound, unless a later supervisor has bound the path anew since (a
    /// restart without downtime); a passed socket's file is left to the service manager.
    func removeFile(boundAs identity: [UInt64]?) {
        guard case .bind(let address, _) = self, case .unix(let path) = address, let identity,
              address.socketFileIdentity() == identity else { return }
        unlink(path)
    }

    var description: String {
        switch self {
        case .bind(let address, _): return address.description
        case .inherited(let descriptor):
            let address = SocketActivation.address(of: descriptor)?.description ?? "fd \(descriptor)"
            return "\(address) (passed by the service manager)"
        }
    }
}
