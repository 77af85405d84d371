import CSQLite

/// When the WAL is copied back into the database file. SQLite's automatic checkpoint runs inside the COMMIT that
/// crosses the threshold, so one request in a few thousand paid for copying pages and two fsyncs before it could answer.
/// Here a commit only notes the WAL's size; the owner checkpoints after answering (`checkpointIfDue`), and a commit
/// checkpoints itself only when the WAL has grown to twice the threshold (a process that never calls
/// `checkpointIfDue`, such as an admin command, still keeps the WAL bounded).
final class SQLiteCheckpointPolicy {
    /// WAL pages after which a checkpoint is due.
    let thresholdPages: Int32
    /// The WAL's size in pages after this connection's last commit.
    private(set) var walPages: Int32 = 0

    init(thresholdPages: Int32) {
        self.thresholdPages = thresholdPages
    }

    /// Installs the commit hook on a connection (this replaces SQLite's automatic checkpoint); the connection must keep
    /// `self` alive while it is open.
    func install(on handle: OpaquePointer) {
        sqlite3_wal_hook(handle, { context, handle, database, pages in
            guard let context else { return SQLITE_OK }
            let policy = Unmanaged<SQLiteCheckpointPolicy>.fromOpaque(context).takeUnretainedValue()
            policy.walPages = pages
            if pages >= policy.thresholdPages * 2 {
                sqlite3_wal_checkpoint(handle, database)
                policy.walPages = 0
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Whether the WAL has reached the threshold since the last checkpoint.
    var isDue: Bool { walPages >= thresholdPages }

    /// Runs a passive checkpoint (it never waits for, or blocks, another process's writes) when one is due.
    func checkpointIfDue(on handle: OpaquePointer) {
        guard isDue else { return }
        sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        walPages = 0
    }
}
