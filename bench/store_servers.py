"""PostgreSQL and Redis for `make bench BENCH_ARGS='--store postgres'`: a throwaway cluster and redis-server of the
bench's own, each listening only on a unix socket in a fresh directory, stopped by PID at the end.

PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` user the Debian package creates.
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time


class StoreServerError(Exception):
    """A store server could not be started or asked."""


def _postgres_bin():
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not candidates:
        raise StoreServerError("PostgreSQL is not installed (apt-get install postgresql)")
    return os.path.dirname(candidates[-1])


class StoreServers:
    """A PostgreSQL cluster (database `oauth1`, user `bench`) and a redis-server, both on unix sockets in `directory`."""

    DATABASE = "oauth1"
    USER = "bench"

    def __init__(self, processes):
        self.procs = processes
        self.directory = tempfile.mkdtemp(prefix="oauth1-bench-stores-")
        self.bin = _postgres_bin()
        # As root, PostgreSQL runs as the `postgres` user (it refuses root).
        self.owner = {}
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
            self.owner = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        os.chmod(self.directory, 0o700)
        self.data = os.path.join(self.directory, "pgdata")
        self.redis_socket = os.path.join(self.directory, "redis.sock")
        self.postgres = None
        self.redis = None

    def _run(self, argv, what):
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                timeout=120, cwd=self.directory, **self.owner)
        if result.returncode != 0:
            raise StoreServerError("%s failed: %s" % (what, result.stdout.decode(errors="replace").strip()[-800:]))
        return result.stdout.decode()

    def start(self):
        self._run([os.path.join(self.bin, "initdb"), "-D", self.data, "-A", "trust", "-U", self.USER, "-E", "UTF8",
                   "--no-sync"], "initdb")
        self.postgres = self.procs.start(
            "postgres", [os.path.join(self.bin, "postgres"), "-D", self.data, "-k", self.directory,
                         "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
                         "-c", "full_page_writes=off", "-c", "max_connections=50"],
            stop_signal=signal.SIGINT, cwd=self.directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            **self.owner)
        self._wait("PostgreSQL", lambda: self.psql("SELECT 1", database="postgres") == "1")
        self.psql("CREATE DATABASE %s" % self.DATABASE, database="postgres")
        self.redis = self.procs.start(
            "redis-server", ["redis-server", "--port", "0", "--unixsocket", self.redis_socket, "--unixsocketperm", "700",
                             "--save", "", "--appendonly", "no", "--dir", self.directory],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait("Redis", lambda: self.redis_cli("PING") == "PONG")

    def _wait(self, what, ready, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except (StoreServerError, subprocess.TimeoutExpired):
                pass
            time.sleep(0.1)
        raise StoreServerError("%s did not start within %d s" % (what, timeout))

    def psql(self, sql, database=DATABASE):
        result = subprocess.run([os.path.join(self.bin, "psql"), "-h", self.directory, "-U", self.USER, "-d", database,
                                 "-Atqc", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        if result.returncode != 0:
            raise StoreServerError("psql: %s" % result.stderr.decode(errors="replace").strip())
        return result.stdout.decode().strip()

    def redis_cli(self, *argv):
        result = subprocess.run(["redis-cli", "-s", self.redis_socket] + list(argv), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=30)
        if result.returncode != 0:
            raise StoreServerError("redis-cli: %s" % result.stderr.decode(errors="replace").strip())
        return result.stdout.decode().strip()

    def environment(self):
        return {"OAUTH1_DATABASE_URL": "postgresql://%s@/%s?host=%s" % (self.USER, self.DATABASE, self.directory),
                "OAUTH1_REDIS_URL": "unix://%s" % self.redis_socket,
                # `oauth1-fcgi migrate` creates it on the empty database.
                "OAUTH1_SECRETS_KEY_FILE": os.path.join(self.directory, "secrets.key")}

    def counters(self):
        """(PostgreSQL transactions of the database, commands Redis processed) so far."""
        # A busy backend publishes its statistics at most once a second, an idle one within 10 s (PostgreSQL 15).
        time.sleep(11)
        transactions = int(self.psql("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '%s'"
                                     % self.DATABASE))
        stats = dict(line.split(":", 1) for line in self.redis_cli("INFO", "stats").splitlines() if ":" in line)
        return transactions, int(stats["total_commands_processed"])

    def connections(self):
        """Client connections to the database now."""
        return int(self.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = '%s' AND pid <> pg_backend_pid()"
                             % self.DATABASE))

    def stop(self):
        for proc in (self.redis, self.postgres):
            if proc is not None:
                self.procs.stop(proc, timeout=20)
        shutil.rmtree(self.directory, ignore_errors=True)
