import CSQLite

/// When the WAL is copied back into the database file, and how the WAL is kept from growing.
///
/// SQLite's automatic checkpoint is PASSIVE and runs inside the COMMIT that crosses the threshold. Under steady writes
/// from two workers a passive checkpoint never completes (the other worker commits while it copies and fsyncs), so the
/// WAL is never restarted: it grows without end, every later commit runs another checkpoint with two fsyncs, and every
/// read searches a longer WAL index. That was most of the nonce insert's cost.
///
/// Here a commit only notes the WAL's size. The owner calls `checkpointIfDue` after answering; once the WAL has grown
/// by the threshold it runs a RESTART checkpoint, which holds new writers off for the copy (they wait in the busy
/// handler) and waits for readers to move to the new snapshot, so the next write starts the WAL again from its
/// beginning. A process that never calls `checkpointIfDue` (an admin command) still gets a passive checkpoint from its
/// own commit once the WAL has grown by twice the threshold.
final class SQLiteCheckpointPolicy {
    /// WAL pages of growth after which a checkpoint is due.
    let thresholdPages: Int32
    /// The WAL's size in pages after this connection's last commit.
    private(set) var walPages: Int32 = 0
    /// The WAL's size when this connection last checkpointed; 0 once the WAL has restarted.
    private var checkpointedAt: Int32 = 0

    init(thresholdPages: Int32) {
        self.thresholdPages = thresholdPages
    }

    /// Installs the commit hook on a connection (this replaces SQLite's automatic checkpoint); the connection must keep
    /// `self` alive while it is open.
    func install(on handle: OpaquePointer) {
        sqlite3_wal_hook(handle, { context, handle, database, pages in
            guard let context else { return SQLITE_OK }
            Unmanaged<SQLiteCheckpointPolicy>.fromOpaque(context).takeUnretainedValue()
                .committed(pages: pages, handle: handle, database: database)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private func committed(pages: Int32, handle: OpaquePointer?, database: UnsafePointer<CChar>?) {
        if pages < checkpointedAt { checkpointedAt = 0 }
        walPages = pages
        if pages >= checkpointedAt + thresholdPages * 2 {
            sqlite3_wal_checkpoint(handle, database)
            checkpointedAt = pages
        }
    }

    /// Whether the WAL has grown by the threshold since this connection's last checkpoint (or since it restarted).
    var isDue: Bool { walPages >= checkpointedAt + thresholdPages }

    /// Runs a RESTART checkpoint when one is due. It waits (through the busy handler) for the writer and for readers of
    /// older snapshots; if it gives up, the next one is due after another threshold of growth, never on every request.
    func checkpointIfDue(on handle: OpaquePointer) {
        guard isDue else { return }
        // A passive checkpoint first copies (and fsyncs) nearly everything while other processes keep writing; the
        // RESTART after it holds the write lock only for the few pages written meanwhile and its fsync.
        sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_RESTART, nil, nil)
        checkpointedAt = walPages
    }
}
