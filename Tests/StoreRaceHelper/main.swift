// A worker process for the store tests: several copies run at once against one data directory to prove
// that nonces and temporary credentials are used exactly once across processes, and that acknowledged writes
// survive SIGKILL. Usage:
//   StoreRaceHelper nonces DATA_DIR NONCES BARRIER COUNT    insert nonces 0..<COUNT; print the accepted indices
//   StoreRaceHelper consume DATA_DIR NONCES BARRIER TOKEN   take one temporary credential; print won or lost
// NONCES is table or sqlite, as OAUTH1_NONCES; the other commands use the nonce table.
//   StoreRaceHelper write-stream DATA_DIR                   save token credentials forever; print each committed index
//   StoreRaceHelper nonce-stream DATA_DIR                   insert new nonces forever; print each accepted index
//   StoreRaceHelper revoke DATA_DIR TOKEN                   revoke one token credential; print revoked or unknown
//   StoreRaceHelper disable-client DATA_DIR CLIENT_ID       disable one client; print disabled or unknown
import FileAndSQLiteStore
import ProviderStorage
import ProviderCore
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments

/// Writes one line straight to a file descriptor, unbuffered, so a SIGKILL loses nothing that was reported.
func emit(_ text: String, to descriptor: Int32 = 1) {
    var line = text + "\n"
    line.withUTF8 { buffer in _ = write(descriptor, buffer.baseAddress, buffer.count) }
}

func fail(_ message: String) -> Never {
    emit("StoreRaceHelper: \(message)", to: 2)
    exit(2)
}

/// Waits until the barrier file exists, so every worker starts at the same moment.
func waitForBarrier(_ path: String) {
    while access(path, F_OK) != 0 { usleep(1000) }
}

func openStores(_ directory: String, _ nonces: String = "table") -> SQLiteStores {
    do {
        let storage = StorageConfiguration(dataDirectory: directory, nonces: try StorageConfiguration.ExpiringStore(setting: nonces))
        return try SQLiteStores(storage, hasher: PasswordHasher(logN: 4, blockSize: 1, parallelism: 1))
    } catch {
        fail("cannot open stores: \(error)")
    }
}

guard arguments.count >= 3 else { fail("usage: see the comment at the top of main.swift") }

switch arguments[1] {
case "nonces" where arguments.count == 6:
    let stores = openStores(arguments[2], arguments[3])
    waitForBarrier(arguments[4])
    let count = Int(arguments[5]) ?? 0
    var accepted = [Int]()
    for index in 0..<count {
        let nonce = TimestampNonce(clientIdentifier: "race-client", token: "race-token", timestamp: 1_700_000_000, nonce: "nonce-\(index)")
        do {
            if try stores.nonces.insertIfAbsent(nonce, expiresAt: Int64.max / 2) { accepted.append(index) }
        } catch {
            fail("insert failed: \(error)")
        }
    }
    emit(accepted.map(String.init).joined(separator: " "))

case "consume" where arguments.count == 6:
    let stores = openStores(arguments[2], arguments[3])
    waitForBarrier(arguments[4])
    do {
        emit(try stores.temporaryCredentials.consume(token: arguments[5]) == nil ? "lost" : "won")
    } catch {
        fail("consume failed: \(error)")
    }

case "nonce-stream":
    let stores = openStores(arguments[2])
    var index = 0
    while true {
        let nonce = TimestampNonce(clientIdentifier: "stream-client", token: "stream-token", timestamp: 1_700_000_000, nonce: "stream-\(index)")
        do {
            guard try stores.nonces.insertIfAbsent(nonce, expiresAt: Int64.max / 2) else { fail("nonce \(index) refused") }
        } catch {
            fail("insert failed: \(error)")
        }
        emit(String(index))
        index += 1
    }

case "revoke" where arguments.count == 4:
    let stores = openStores(arguments[2])
    do {
        emit(try stores.tokenCredentials.revoke(token: arguments[3]) ? "revoked" : "unknown")
    } catch {
        fail("revoke failed: \(error)")
    }

case "disable-client" where arguments.count == 4:
    let stores = openStores(arguments[2])
    do {
        guard var record = try stores.clients.record(identifier: arguments[3]) else {
            emit("unknown")
            break
        }
        record.isDisabled = true
        emit(try stores.clients.update(record) ? "disabled" : "unknown")
    } catch {
        fail("disable failed: \(error)")
    }

case "write-stream":
    let stores = openStores(arguments[2])
    var index = 0
    while true {
        let credential = TokenCredential(token: "stream-\(index)", secret: "secret-\(index)", clientIdentifier: "stream-client",
                                         userID: "1", createdAt: 1_700_000_000)
        do {
            try stores.tokenCredentials.save(credential)
        } catch {
            fail("save failed: \(error)")
        }
        emit(String(index))
        index += 1
    }

default:
    fail("unknown or incomplete command; see the comment at the top of main.swift")
}
