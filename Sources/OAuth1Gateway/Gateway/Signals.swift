import CFastCGI
#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGTERM or SIGINT; read by the request loops between requests.
nonisolated(unsafe) var terminationRequested: sig_atomic_t = 0

/// Set by SIGHUP in the supervisor: read the configuration again and replace the workers.
nonisolated(unsafe) var reloadRequested: sig_atomic_t = 0

/// Set while a FastCGI worker waits for its next request: 1 in its own accept, where it holds no connection
/// (`FastCGIListener`); 2 inside libfcgi, on a kept connection or in libfcgi's own accept.
nonisolated(unsafe) var awaitingRequest: sig_atomic_t = 0

/// Signal handling for workers and the supervisor: handlers only set a flag (and tell libfcgi to stop accepting), and are
/// installed without SA_RESTART so a blocking accept or waitpid returns to let the loop see the flag.
public enum Signals {
    /// Whether SIGTERM or SIGINT has arrived.
    public static var stopRequested: Bool { terminationRequested != 0 }

    /// SIGTERM and SIGINT end the loop after the request in flight; SIGPIPE is ignored (a client that hung up is not fatal).
    /// A FastCGI worker takes SIGHUP the same way: it is how the supervisor asks a worker to leave when it reloads. A
    /// worker waiting in its own accept is woken there (EINTR) and leaves without a connection; it never exits from the
    /// handler, since the signal may arrive just as accept returns a connection, which must then be served (exiting
    /// there reset it: nginx answered 502). A signal that lands just before the worker enters accept cannot wake it, so
    /// the supervisor sends it again until the worker has gone (docs/architecture.md, section "How a worker accepts and
    /// closes connections").
    public static func installTermination(forFastCGI: Bool) {
        var action = sigaction()
        if forFastCGI {
            action.__sigaction_handler.sa_handler = { _ in
                terminationRequested = 1
                FCGX_ShutdownPending()
                // Inside libfcgi (a kept connection, or libfcgi's own accept) a request that has begun to arrive cannot
                // be told from none, and a blocking read may not return for the signal: leave now, as always.
                if awaitingRequest == 2 { _exit(0) }
            }
        } else {
            action.__sigaction_handler.sa_handler = { _ in terminationRequested = 1 }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        if forFastCGI { sigaction(SIGHUP, &action, nil) }
        signal(SIGPIPE, SIG_IGN)
        // A parent may have started us with signals blocked (a spawning thread's mask is inherited); unblock them,
        // or SIGTERM would never arrive.
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
    }

    /// Takes a pending SIGHUP (the supervisor's reload request): true once per signal received since the last call.
    public static func takeReloadRequest() -> Bool {
        guard reloadRequested != 0 else { return false }
        reloadRequested = 0
        return true
    }

    /// SIGHUP asks the supervisor to reload; the handler only sets a flag, which its loop reads.
    public static func installReload() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in reloadRequested = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGHUP, &action, nil)
    }

    /// A SIGCHLD handler that does nothing, so a worker's death ends the supervisor's sigsuspend (an ignored SIGCHLD would not).
    public static func installChildNotification() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_NOCLDSTOP
        sigaction(SIGCHLD, &action, nil)
    }
}
