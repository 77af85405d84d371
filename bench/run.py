#!/usr/bin/python3
"""`make bench`: oauth1-fcgi against a bare libfcgi floor, behind one nginx, on loopback.

Targets (interleaved over --rounds rounds, medians reported):

  floor   bench/floor/hello.c under spawn-fcgi (-F WORKERS): fixed JSON, no work
  hmac    GET /oauth/user signed HMAC-SHA1, nonce check live
  rsa     GET /oauth/user signed RSA-SHA1 (2048-bit key)
  flow    initiate -> authorize -> token: server-side time per completed flow
          (sum of nginx $upstream_response_time of the flow's initiate, POST
          authorize and token requests, from a dedicated access log)
  cgi     the binary as plain CGI (environment + stdin): wall time per run

floor, hmac and rsa are loaded by wrk with bench/presigned.lua, which sends
requests made beforehand by bench/presign.py (oauthlib), each exactly once.

Exit status: 0 when every run completed with only 2xx answers and no socket
errors; 1 when a run failed (non-2xx, socket errors, a broken setup); 3 when
--enforce-targets is given and a target was missed. See bench/README.md.
"""

import argparse
import ctypes
import datetime
import html
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
sys.path.insert(0, BENCH_DIR)
sys.dont_write_bytecode = True   # importing presign must leave no __pycache__ in the checkout

import presign  # noqa: E402  (bench/presign.py, next to this file)
from store_servers import StoreServers, StoreServerError  # noqa: E402

LUA_SCRIPT = os.path.join(BENCH_DIR, "presigned.lua")
FLOOR_SOURCE = os.path.join(BENCH_DIR, "floor", "hello.c")
NGINX_SNIPPET = os.path.join(ROOT, "nginx", "oauth1-fcgi.conf")
SNIPPET_PASS = "fastcgi_pass unix:/run/oauth1-fcgi/oauth1-fcgi.sock;"
DEFAULT_BINARY = os.path.join(ROOT, ".build", "release", "oauth1-fcgi")
DEFAULT_JSON = os.path.join(BENCH_DIR, "last-run.json")
DEFAULT_SMOKE_JSON = os.path.join(BENCH_DIR, "last-smoke.json")   # a smoke run never overwrites the real figures

USERNAME = "bench"
PASSWORD = "bench-password"
CGI_PORT = 8080

# Targets of the issue; checked and printed after every run.
TARGET_HMAC_RATIO = 0.60
TARGET_HMAC_RATIO_POSTGRES = 0.50   # --store postgres: PostgreSQL for data, Redis for nonces, 2 workers
TARGET_RSA_RATIO = 0.40
TARGET_RSS_MIB = 20.0
TARGET_CGI_MS = 10.0
TARGET_FLOW_MS = 3.0

# First guesses of the rate (req/s) used to size the pre-signed batch before any run was measured
# (a 2-core machine does less; more is only wasted signing time). Later runs use the last measured rate.
INITIAL_RATE = {"floor": 40000.0, "hmac": 8000.0, "rsa": 6000.0}
# Sign this much more than the highest rate seen so far predicts (the machine is noisy: the same floor run gives
# 20,000 or 44,000 req/s). The floor's unsigned lines cost next to nothing, so it gets more slack.
RATE_MARGIN = {"floor": 3.0, "hmac": 1.6, "rsa": 1.6}
RERUNS = 2              # reruns (with three times the lines) when a wrk thread ran out of lines
MAX_SIGN_SECONDS = 150  # stay well inside the provider's 300 s timestamp window
# Pessimistic seconds per line and signing process, to cap a batch at MAX_SIGN_SECONDS of making; and a cap on lines
# (wrk's Lua states hold them in memory).
LINE_COST = {"floor": 0.00001, "hmac": 0.0002, "rsa": 0.001}
MAX_LINES = 3000000


class BenchError(Exception):
    """The bench itself could not run (setup, a process that did not start, ...)."""


class Terminated(BaseException):
    """SIGTERM/SIGHUP: unwinds like KeyboardInterrupt so every finally block runs."""


def log(message):
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------------------------------
# Processes: everything started is registered and stopped in reverse order, also on error.
# ---------------------------------------------------------------------------------------------------------------------

def become_subreaper():
    """spawn-fcgi forks the floor workers and exits; as a child subreaper we inherit (and reap) them instead of init."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_CHILD_SUBREAPER = 36
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def pid_alive(pid):
    try:
        os.waitpid(pid, os.WNOHANG)       # reap it if it is our (adopted) child and has exited
    except ChildProcessError:
        pass
    try:
        with open("/proc/%d/stat" % pid) as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


class Processes:
    def __init__(self):
        self.entries = []   # (name, Popen or None, [pids], stop signal)

    def start(self, name, argv, stop_signal=signal.SIGTERM, **kwargs):
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen(argv, start_new_session=True, **kwargs)
        self.entries.append((name, proc, [], stop_signal))
        return proc

    def adopt(self, name, pids):
        """Processes we did not start directly (the floor workers spawn-fcgi forked)."""
        self.entries.append((name, None, list(pids), signal.SIGTERM))

    def stop(self, proc_or_name, timeout=10.0):
        for entry in list(self.entries):
            if entry[1] is proc_or_name or entry[0] == proc_or_name:
                self._stop(entry, timeout)
                self.entries.remove(entry)

    def stop_all(self):
        for entry in reversed(list(self.entries)):
            try:
                self._stop(entry, 10.0)
            except Exception as e:  # keep stopping the others
                print("bench: could not stop %s: %s" % (entry[0], e), file=sys.stderr)
            self.entries.remove(entry)

    @staticmethod
    def _stop(entry, timeout):
        name, proc, pids, stop_signal = entry
        if proc is not None:
            if proc.poll() is None:
                try:
                    os.kill(proc.pid, stop_signal)
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    print("bench: %s did not stop within %.0f s; killing it" % (name, timeout), file=sys.stderr)
            # Whatever is left of its process group (workers of the supervisor, nginx workers).
            try:
                os.killpg(proc.pid, signal.SIGKILL if proc.poll() is None else signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and pgroup_alive(proc.pid):
                time.sleep(0.05)
            if pgroup_alive(proc.pid):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for pid in pids:
            try:
                os.kill(pid, stop_signal)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
            time.sleep(0.05)
        for pid in pids:
            if pid_alive(pid):
                print("bench: %s pid %d did not stop; killing it" % (name, pid), file=sys.stderr)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
            time.sleep(0.05)


def pgroup_alive(pgid):
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def children_of(pid):
    """Child pids: /proc/PID/task/*/children where the kernel has it, else a /proc scan for PPid."""
    found = []
    task_dir = "/proc/%d/task" % pid
    try:
        for task in os.listdir(task_dir):
            with open(os.path.join(task_dir, task, "children")) as fh:
                found.extend(int(x) for x in fh.read().split())
        return sorted(set(found))
    except (FileNotFoundError, ProcessLookupError):
        pass
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                pass
    return sorted(found)


def memory_kib(pid):
    """(VmHWM, VmRSS) in KiB, or None when the process is gone."""
    values = {}
    try:
        with open("/proc/%d/status" % pid) as fh:
            for line in fh:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    key, value = line.split(":", 1)
                    values[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return values.get("VmHWM", 0), values.get("VmRSS", 0)


def cpu_seconds(pids, user_only=False):
    """utime + stime of the processes (utime alone with `user_only`), in seconds (processes that are gone count 0)."""
    ticks = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + (0 if user_only else int(fields[12]))
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return ticks / float(os.sysconf("SC_CLK_TCK"))


def machine_cpu_seconds():
    """(busy, idle) CPU seconds of the whole machine so far, all cores summed, from /proc/stat."""
    with open("/proc/stat") as fh:
        fields = [int(v) for v in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / float(os.sysconf("SC_CLK_TCK")), idle / float(os.sysconf("SC_CLK_TCK"))


class MachineSampler:
    """Samples the machine's busy and idle CPU time every 0.1 s while a load run lasts, so that its share can be taken
    over the load itself: wrk first reads its pre-signed lines, which must not count."""

    def __init__(self):
        self.samples = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self):
        while True:
            self.samples.append((time.monotonic(),) + machine_cpu_seconds())
            if self.stopping.wait(0.1):
                return

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()
        return False

    def window(self, duration_us):
        """(busy, idle) per second of wall time over the load run's middle: its last `duration` before wrk ended, less
        a margin at each end. (None, None) when the run was too short to sample."""
        end = self.samples[-1][0] - 0.3
        start = end - duration_us / 1e6 + 0.6
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2 or inside[-1][0] - inside[0][0] <= 0:
            return None, None
        span = inside[-1][0] - inside[0][0]
        return (inside[-1][1] - inside[0][1]) / span, (inside[-1][2] - inside[0][2]) / span


def memory_detail(pid):
    """VmHWM, VmRSS, RssAnon, RssFile (status) and Pss, Private (smaps_rollup), in KiB."""
    detail = {}
    try:
        with open("/proc/%d/status" % pid) as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                    detail[key] = int(value.split()[0])
        with open("/proc/%d/smaps_rollup" % pid) as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("Pss", "Private_Clean", "Private_Dirty"):
                    detail[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        pass
    if "Private_Clean" in detail:
        detail["Private"] = detail.pop("Private_Clean") + detail.pop("Private_Dirty", 0)
    return detail


def wait_until(what, predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise BenchError("%s: not ready after %.0f s" % (what, timeout))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, fraction):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, int(math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def git_state():
    """HEAD of the checkout and whether the tree has changes (the binary may be older than either)."""
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=10).stdout.decode().strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10).stdout.strip() != b""
        return {"head": head or None, "dirty": dirty}
    except (OSError, subprocess.TimeoutExpired):
        return None


def tool_version(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10,
                             stdin=subprocess.DEVNULL)
        return out.stdout.decode(errors="replace").strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "unknown"


# ---------------------------------------------------------------------------------------------------------------------
# HTTP: a minimal cookie-keeping client for the browser part of the flow.
# ---------------------------------------------------------------------------------------------------------------------

class Http:
    def __init__(self, port, timeout=15.0):
        self.port = port
        self.timeout = timeout
        self.cookies = {}
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=b"", headers=None):
        """(status, HTTPMessage headers, body bytes). Never retries: a POST may carry a nonce."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if method == "POST":
            sent.setdefault("Content-Length", str(len(body)))
        try:
            self.conn.request(method, path, body=body if method == "POST" else None, headers=sent)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for value in response.headers.get_all("Set-Cookie") or []:
            pair = value.split(";", 1)[0]
            name, _, cookie = pair.partition("=")
            attributes = value.lower()
            if cookie == "" or "max-age=0" in attributes:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = cookie.strip()
        if response.will_close:
            self.close()
        return response.status, response.headers, data


HIDDEN_INPUT = re.compile(r'<input[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"', re.I)
VERIFIER_CODE = re.compile(r'<code id="verifier">([^<]*)</code>')


def hidden_fields(page):
    return {name: html.unescape(value) for name, value in HIDDEN_INPUT.findall(page)}


class FlowFailure(Exception):
    def __init__(self, step, status, body):
        super().__init__("%s answered %s: %s" % (step, status, body[:300].decode(errors="replace")))
        self.step = step
        self.status = status


class Provider:
    """The browser and client side of oauth1-fcgi's three-legged flow, on one kept-alive connection."""

    def __init__(self, port):
        self.port = port
        self.base = "http://127.0.0.1:%d/oauth" % port
        self.http = Http(port)

    def login(self, username, password):
        status, _, body = self.http.request("GET", "/oauth/login")
        if status != 200:
            raise FlowFailure("GET /oauth/login", status, body)
        fields = hidden_fields(body.decode())
        if "csrf_token" not in fields:
            raise BenchError("the login form has no csrf_token input")
        form = urllib.parse.urlencode({"csrf_token": fields["csrf_token"], "next": "/oauth/",
                                       "username": username, "password": password}).encode()
        status, headers, body = self.http.request(
            "POST", "/oauth/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status not in (302, 303):
            raise FlowFailure("POST /oauth/login", status, body)
        if "oauth1_session" not in self.http.cookies:
            raise BenchError("no oauth1_session cookie after signing in (cookies: %s)" % sorted(self.http.cookies))

    def flow(self, credentials, tag=None):
        """One initiate -> consent page -> POST authorize -> token flow with a signed-in session.
        Returns (token, token_secret, client seconds of the three counted requests)."""
        def tagged(step):
            return {"X-Bench-Flow": tag, "X-Bench-Step": step} if tag else {}

        client = presign.make_client(presign.Credentials(
            credentials["client_id"], credentials.get("client_secret", ""),
            signature_method=credentials["method"], rsa_private_key_path=credentials.get("rsa_key")),
            callback_uri="oob")
        _, signed, _ = client.sign(self.base + "/initiate", http_method="POST")
        counted = 0.0
        started = time.perf_counter()
        status, _, body = self.http.request("POST", "/oauth/initiate", b"",
                                            dict(signed, **tagged("initiate")))
        counted += time.perf_counter() - started
        if status != 200:
            raise FlowFailure("POST /oauth/initiate", status, body)
        temporary = dict(urllib.parse.parse_qsl(body.decode()))
        token, secret = temporary.get("oauth_token"), temporary.get("oauth_token_secret")
        if not token or not secret or temporary.get("oauth_callback_confirmed") != "true":
            raise FlowFailure("POST /oauth/initiate (body)", status, body)

        status, _, body = self.http.request(
            "GET", "/oauth/authorize?" + urllib.parse.urlencode({"oauth_token": token}), headers=tagged("consent-page"))
        if status != 200:
            raise FlowFailure("GET /oauth/authorize", status, body)
        fields = hidden_fields(body.decode())
        if fields.get("oauth_token") != token or "csrf_token" not in fields:
            raise FlowFailure("GET /oauth/authorize (consent form)", status, body)

        form = urllib.parse.urlencode({"oauth_token": token, "csrf_token": fields["csrf_token"],
                                       "decision": "approve"}).encode()
        started = time.perf_counter()
        status, headers, body = self.http.request(
            "POST", "/oauth/authorize", form,
            dict({"Content-Type": "application/x-www-form-urlencoded"}, **tagged("authorize")))
        counted += time.perf_counter() - started
        verifier = None
        if status in (302, 303):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(headers.get("Location", "")).query)
            verifier = (query.get("oauth_verifier") or [None])[0]
        elif status == 200:
            match = VERIFIER_CODE.search(body.decode())
            verifier = html.unescape(match.group(1)).strip() if match else None
        if not verifier:
            raise FlowFailure("POST /oauth/authorize", status, body)

        client = presign.make_client(presign.Credentials(
            credentials["client_id"], credentials.get("client_secret", ""), token, secret,
            credentials["method"], credentials.get("rsa_key")), verifier=verifier)
        _, signed, _ = client.sign(self.base + "/token", http_method="POST")
        started = time.perf_counter()
        status, _, body = self.http.request("POST", "/oauth/token", b"", dict(signed, **tagged("token")))
        counted += time.perf_counter() - started
        if status != 200:
            raise FlowFailure("POST /oauth/token", status, body)
        issued = dict(urllib.parse.parse_qsl(body.decode()))
        if not issued.get("oauth_token") or not issued.get("oauth_token_secret"):
            raise FlowFailure("POST /oauth/token (body)", status, body)
        return issued["oauth_token"], issued["oauth_token_secret"], counted

    def get_user(self, credentials, token, secret):
        client = presign.make_client(presign.Credentials(
            credentials["client_id"], credentials.get("client_secret", ""), token, secret,
            credentials["method"], credentials.get("rsa_key")))
        _, signed, _ = client.sign(self.base + "/user")
        return self.http.request("GET", "/oauth/user", headers=signed)


# ---------------------------------------------------------------------------------------------------------------------
# The bench
# ---------------------------------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.procs = Processes()
        self.tmp = tempfile.mkdtemp(prefix="oauth1-bench-")
        os.chmod(self.tmp, 0o700)
        self.data_dir = os.path.join(self.tmp, "data")
        self.run_dir = os.path.join(self.tmp, "run")
        self.nginx_prefix = os.path.join(self.tmp, "nginx")
        self.slice_dir = os.path.join(self.tmp, "slices")
        for d in (self.run_dir, self.nginx_prefix, self.slice_dir):
            os.makedirs(d, mode=0o700)
        self.oauth_socket = os.path.join(self.run_dir, "oauth1-fcgi.sock")
        self.floor_socket = os.path.join(self.run_dir, "floor.sock")
        self.flow_log = os.path.join(self.nginx_prefix, "flow.log")
        self.error_log = os.path.join(self.nginx_prefix, "error.log")
        self.serve_log = os.path.join(self.tmp, "serve.log")
        self.port = None
        self.supervisor = None
        self.floor_pids = []
        self.env = self.provider_environment()
        self.rates = dict(INITIAL_RATE)
        self.measured = set()
        self.failures = []        # failed runs: non-2xx, socket errors
        self.notes = []           # things worth a look that do not fail the run
        self.error_log_offset = 0
        self.results = {"floor": [], "hmac": [], "rsa": [], "flow": [], "cgi": []}
        self.rss = {"floor": 0, "oauth1-fcgi": 0}
        self.signing = []
        self.login_rss = None
        self.rss_detail = None
        self.supervisor_log = []
        self.stores = StoreServers(self.procs) if args.store == "postgres" else None
        self.round_trips = None

    # -- environment and admin commands --------------------------------------------------------------------------------

    def provider_environment(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("OAUTH1_") and k != "AUTHLIB_INSECURE_TRANSPORT"}
        env.update({
            "OAUTH1_DATA_DIR": self.data_dir,
            "OAUTH1_INSECURE_TRANSPORT": "true",
            "OAUTH1_SUPPORTED_SIGNATURE_METHODS": "HMAC-SHA1,RSA-SHA1",
            "OAUTH1_LOG_LEVEL": "error",
            # The flow target runs hundreds of flows a second from one client and address: the /initiate limits,
            # which exist to stop exactly that, would refuse most of them.
            "OAUTH1_INITIATE_LIMIT_PER_CLIENT": "0",
            "OAUTH1_INITIATE_LIMIT_PER_ADDRESS": "0",
        })
        return env

    def admin(self, *argv, stdin=None):
        result = subprocess.run([self.args.binary] + list(argv), env=self.env, input=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if result.returncode != 0:
            raise BenchError("oauth1-fcgi %s failed (%d): %s" % (" ".join(argv), result.returncode,
                                                                 result.stderr.decode(errors="replace").strip()))
        return result.stdout.decode()

    def prepare_data(self):
        self.admin("migrate")
        self.admin("user", "add", "--username", USERNAME, "--password-stdin", stdin=(PASSWORD + "\n").encode())
        key = os.path.join(self.tmp, "rsa-key.pem")
        cert = os.path.join(self.tmp, "rsa-cert.pem")
        result = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                 "-subj", "/CN=oauth1-fcgi bench", "-keyout", key, "-out", cert],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if result.returncode != 0:
            raise BenchError("openssl could not make the RSA key: %s" % result.stderr.decode(errors="replace"))
        hmac = json.loads(self.admin("client", "add", "--name", "Bench HMAC", "--json"))
        rsa = json.loads(self.admin("client", "add", "--name", "Bench RSA", "--rsa-public-key", cert, "--json"))
        self.clients = {
            "hmac": {"client_id": hmac["client_id"], "client_secret": hmac.get("client_secret", ""),
                     "method": "HMAC-SHA1"},
            "rsa": {"client_id": rsa["client_id"], "client_secret": rsa.get("client_secret", ""),
                    "method": "RSA-SHA1", "rsa_key": key},
        }

    def compile_floor(self):
        self.floor_binary = os.path.join(self.tmp, "hello")
        result = subprocess.run(["cc", "-O2", "-Wall", "-o", self.floor_binary, FLOOR_SOURCE, "-lfcgi"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        if result.returncode != 0:
            raise BenchError("could not compile %s (is libfcgi-dev installed?):\n%s"
                             % (FLOOR_SOURCE, result.stdout.decode(errors="replace")))

    # -- servers -------------------------------------------------------------------------------------------------------

    def start_provider(self):
        log_file = open(self.serve_log, "ab")
        try:
            self.supervisor = self.procs.start(
                "oauth1-fcgi serve",
                [self.args.binary, "serve", "--listen", "unix:" + self.oauth_socket,
                 "--workers", str(self.args.workers), "--max-requests", "0"],
                env=self.env, stdout=log_file, stderr=log_file)
        finally:
            log_file.close()
        wait_until("oauth1-fcgi serve (socket %s)" % self.oauth_socket,
                   lambda: os.path.exists(self.oauth_socket) or self.supervisor.poll() is not None, 15)
        if self.supervisor.poll() is not None:
            raise BenchError("oauth1-fcgi serve exited with %s; see %s" % (self.supervisor.returncode, self.serve_log))
        wait_until("oauth1-fcgi workers", lambda: len(children_of(self.supervisor.pid)) >= self.args.workers, 15)

    def stop_provider(self):
        if self.supervisor is not None:
            self.procs.stop(self.supervisor, timeout=15)
            self.supervisor = None
        if os.path.exists(self.oauth_socket):
            os.unlink(self.oauth_socket)

    def start_floor(self):
        env = dict(os.environ)
        if self.args.floor_close == "plain":
            env["FLOOR_PLAIN_CLOSE"] = "1"
        result = subprocess.run(
            ["spawn-fcgi", "-s", self.floor_socket, "-M", "0660", "-F", str(self.args.workers), "--",
             self.floor_binary],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=30,
            start_new_session=True, env=env)
        output = result.stdout.decode(errors="replace")
        self.floor_pids = [int(p) for p in re.findall(r"PID: (\d+)", output)]
        self.procs.adopt("floor workers", self.floor_pids)
        if result.returncode != 0 or len(self.floor_pids) != self.args.workers:
            raise BenchError("spawn-fcgi failed (%d): %s" % (result.returncode, output.strip()))

    def nginx_config(self):
        with open(NGINX_SNIPPET) as fh:
            snippet = fh.read()
        # Every fastcgi_pass is replaced: the one of location /oauth/, and the one of its nested /status and /metrics.
        if snippet.count(SNIPPET_PASS) < 1 or snippet.count("location /oauth/ {") != 1 \
                or len(re.findall(r"fastcgi_param\s+SCRIPT_NAME\s+/oauth;", snippet)) != 1:
            raise BenchError("%s changed shape: the bench expects one location /oauth/, fastcgi_pass %s and "
                             "SCRIPT_NAME /oauth" % (NGINX_SNIPPET, SNIPPET_PASS))
        keepalive = self.args.keepalive
        upstreams = ""
        if keepalive:
            oauth_pass = "fastcgi_pass oauth1_fcgi_bench;\n    fastcgi_keep_conn on;"
            floor_pass = "fastcgi_pass floor_bench;\n    fastcgi_keep_conn on;"
            for name, path in (("oauth1_fcgi_bench", self.oauth_socket), ("floor_bench", self.floor_socket)):
                upstreams += "    upstream %s {\n        server unix:%s;\n        keepalive %d;\n    }\n" % (
                    name, path, self.args.keepalive_connections)
        else:
            oauth_pass = "fastcgi_pass unix:%s;" % self.oauth_socket
            floor_pass = "fastcgi_pass unix:%s;" % self.floor_socket
        oauth = snippet.replace(SNIPPET_PASS, oauth_pass)
        # The floor gets the very same location: same parameters, buffers and cache settings, another mount point.
        floor = snippet.replace(SNIPPET_PASS, floor_pass).replace("location /oauth/ {", "location /floor/ {")
        floor = re.sub(r"(fastcgi_param\s+SCRIPT_NAME\s+)/oauth;", r"\1/floor;", floor)
        with open(os.path.join(self.nginx_prefix, "oauth1-fcgi.conf"), "w") as fh:
            fh.write(oauth)
        with open(os.path.join(self.nginx_prefix, "floor.conf"), "w") as fh:
            fh.write(floor)
        p = self.nginx_prefix
        user = "user root root;\n" if os.geteuid() == 0 else ""
        config = """# Written by bench/run.py; one configuration for every target.
{user}worker_processes {workers};
pid {p}/nginx.pid;
error_log {p}/error.log warn;

events {{ worker_connections 4096; }}

http {{
    client_body_temp_path {p}/client_body;
    proxy_temp_path {p}/proxy;
    fastcgi_temp_path {p}/fastcgi;
    uwsgi_temp_path {p}/uwsgi;
    scgi_temp_path {p}/scgi;
    default_type application/octet-stream;

    # wrk keeps its connections for the whole run; never close one mid-run (a request lost to that race would
    # show up as a socket error).
    keepalive_timeout 75s;
    keepalive_requests 10000000;

    # Only the flow's requests (tagged by bench/run.py) are logged: the load runs pay for no log writes.
    log_format bench_flow '$http_x_bench_flow $http_x_bench_step $status $upstream_response_time $request_time';

{upstreams}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        server_name localhost;
        access_log {p}/flow.log bench_flow if=$http_x_bench_flow;
        include {p}/oauth1-fcgi.conf;
        include {p}/floor.conf;
    }}
}}
""".format(user=user, workers=self.args.nginx_workers, p=p, upstreams=upstreams, port=self.port)
        path = os.path.join(p, "nginx.conf")
        with open(path, "w") as fh:
            fh.write(config)
        return path

    def start_nginx(self):
        for attempt in range(3):
            self.port = free_port()
            conf = self.nginx_config()
            test = subprocess.run(["nginx", "-t", "-q", "-p", self.nginx_prefix, "-c", conf, "-e", self.error_log],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
            if test.returncode != 0:
                raise BenchError("nginx -t refused the bench configuration:\n%s" % test.stdout.decode(errors="replace"))
            nginx_out = open(os.path.join(self.tmp, "nginx.out"), "ab")
            try:
                proc = self.procs.start("nginx", ["nginx", "-p", self.nginx_prefix, "-c", conf, "-e", self.error_log,
                                                  "-g", "daemon off;"], stop_signal=signal.SIGQUIT,
                                        stdout=nginx_out, stderr=nginx_out)
            finally:
                nginx_out.close()
            try:
                wait_until("nginx", lambda: proc.poll() is not None or self.http_ok("/floor/ready"), 15)
            except BenchError:
                pass
            if proc.poll() is None and self.http_ok("/floor/ready"):
                self.nginx = proc
                return
            self.procs.stop(proc)
            log("nginx did not come up on port %d (attempt %d); retrying on another port" % (self.port, attempt + 1))
        raise BenchError("nginx did not start; see %s" % self.error_log)

    def http_ok(self, path):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", path)
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except (OSError, http.client.HTTPException):
            return False

    # -- setup ---------------------------------------------------------------------------------------------------------

    def setup(self):
        log("bench: temp dir %s" % self.tmp)
        if self.stores is not None:
            log("bench: PostgreSQL and Redis of the bench's own in %s" % self.stores.directory)
            self.stores.start()
            self.env.update(self.stores.environment())
        self.env.update(dict(setting.split("=", 1) for setting in self.args.setting))
        self.compile_floor()
        self.prepare_data()
        self.start_provider()
        self.start_floor()
        self.start_nginx()
        wait_until("GET /oauth/health", lambda: self.http_ok("/oauth/health"), 15)
        # Token credentials for GET /oauth/user, one per client, by the flow itself.
        provider = Provider(self.port)
        provider.login(USERNAME, PASSWORD)
        self.tokens = {}
        for name in ("hmac", "rsa"):
            token, secret, _ = provider.flow(self.clients[name])
            status, _, body = provider.get_user(self.clients[name], token, secret)
            if status != 200 or json.loads(body.decode()).get("username") != USERNAME:
                raise BenchError("GET /oauth/user with the new %s token answered %d: %s" % (name, status, body[:300]))
            self.tokens[name] = (token, secret)
        provider.http.close()
        # The browser session the flow target reuses; signing in now keeps scrypt out of the measured workers.
        self.flow_provider = Provider(self.port)
        self.flow_provider.login(USERNAME, PASSWORD)
        self.flow_provider.http.close()
        # Fresh workers: sign-in hashed passwords with scrypt (32 MiB), which would stay in a worker's VmHWM.
        self.stop_provider()
        self.start_provider()
        wait_until("GET /oauth/health after restart", lambda: self.http_ok("/oauth/health"), 15)
        self.error_log_offset = self.file_size(self.error_log)

    @staticmethod
    def file_size(path):
        try:
            return os.path.getsize(path)
        except FileNotFoundError:
            return 0

    def new_error_log_lines(self):
        size = self.file_size(self.error_log)
        if size <= self.error_log_offset:
            return []
        with open(self.error_log, "rb") as fh:
            fh.seek(self.error_log_offset)
            text = fh.read().decode(errors="replace")
        self.error_log_offset = size
        return [line for line in text.splitlines() if line.strip()]

    # -- measurements --------------------------------------------------------------------------------------------------

    def worker_pids(self, target):
        if target == "floor":
            return [p for p in self.floor_pids if pid_alive(p)]
        return children_of(self.supervisor.pid)

    def record_rss(self, target):
        group = "floor" if target == "floor" else "oauth1-fcgi"
        pids = self.worker_pids(target)
        if not pids:
            raise BenchError("no %s workers are running" % group)
        peak = 0
        for pid in pids:
            mem = memory_kib(pid)
            if mem:
                peak = max(peak, mem[0])
        self.rss[group] = max(self.rss[group], peak)
        return peak

    def sign_batch(self, target, count):
        """Authorization values for `count` requests of `target`, with signing time recorded (never timed)."""
        started = time.monotonic()
        if target == "floor":
            like = self.floor_template
            headers = presign.floor_headers(count, like)
        else:
            client = self.clients[target]
            token, secret = self.tokens[target]
            credentials = presign.Credentials(client["client_id"], client.get("client_secret", ""), token, secret,
                                              client["method"], client.get("rsa_key"))
            url = "http://127.0.0.1:%d/oauth/user" % self.port
            headers = presign.sign_headers(url, credentials, count, processes=self.args.sign_processes,
                                           deadline=started + MAX_SIGN_SECONDS * 1.5)
        elapsed = time.monotonic() - started
        self.signing.append({"target": target, "count": count, "seconds": round(elapsed, 3)})
        return headers, elapsed

    def wrk_run(self, target, duration, label, before_load=None):
        path = "/floor/user" if target == "floor" else "/oauth/user"
        threads, connections = self.args.threads, self.args.connections
        reserve = int(math.ceil(connections / threads)) + 2
        count = int(self.rates[target] * duration * RATE_MARGIN[target]) + threads * (reserve + 50)
        for attempt in range(RERUNS + 1):
            # Never make more than a bounded time's worth (a pathological estimate must not stall the bench).
            processes = 1 if target == "floor" else self.args.sign_processes
            count = min(count, MAX_LINES, int(MAX_SIGN_SECONDS / LINE_COST[target] * processes))
            headers, sign_seconds = self.sign_batch(target, count)
            prefix = os.path.join(self.slice_dir, "%s-%s-%d" % (target, label, attempt))
            presign.write_slices(headers, threads, prefix)
            del headers
            pids = self.worker_pids(target)
            nginx_pids = children_of(self.nginx.pid)
            store_pids = self.store_server_pids()
            cpu_before, nginx_before = cpu_seconds(pids), cpu_seconds(nginx_pids)
            stores_before = cpu_seconds(store_pids)
            user_before = cpu_seconds(pids, user_only=True)
            if before_load:
                before_load()
            with MachineSampler() as machine:
                result = self.wrk(path, prefix, reserve, duration, threads, connections)
            cpu_used, nginx_used = cpu_seconds(pids) - cpu_before, cpu_seconds(nginx_pids) - nginx_before
            stores_used = cpu_seconds(store_pids) - stores_before
            user_used = cpu_seconds(pids, user_only=True) - user_before
            per_request = (lambda seconds: seconds / result["requests"] * 1e6 if result["requests"] else None)
            # CPU the backend's workers spent per completed request: less sensitive to a noisy machine than req/s.
            result["worker_cpu_us_per_request"] = per_request(cpu_used)
            # Its user-space part: what bench/callgrind.py's instruction count measures (the rest is the kernel's).
            result["worker_user_cpu_us_per_request"] = per_request(user_used)
            # Where the rest of the machine's time went: nginx's workers, then the whole machine (wrk, the kernel and
            # any other tenant included) and the share of time its cores stood idle, both taken inside the load run.
            result["nginx_cpu_us_per_request"] = per_request(nginx_used)
            # With --store postgres: redis-server and PostgreSQL (postmaster and every backend) on this machine.
            result["store_cpu_us_per_request"] = per_request(stores_used) if store_pids else None
            busy, idle = machine.window(duration_us=result["duration_us"])
            seconds = result["duration_us"] / 1e6
            result["machine_busy_us_per_request"] = (busy / (result["requests"] / seconds) * 1e6
                                                     if busy is not None and result["requests"] else None)
            result["machine_idle_share"] = idle / (busy + idle) if busy is not None and busy + idle > 0 else None
            for f in os.listdir(self.slice_dir):
                os.unlink(os.path.join(self.slice_dir, f))
            result["signed"] = count
            result["sign_seconds"] = round(sign_seconds, 2)
            if result["stopped_threads"] == 0:
                break
            if attempt < RERUNS:
                log("  %s: a wrk thread ran out of its %d pre-signed requests; rerunning with three times as many"
                    % (target, count // threads))
                count *= 3
        result["target"] = target
        result["round"] = label
        seconds = result["duration_us"] / 1e6
        result["rps"] = result["requests"] / seconds if seconds > 0 else 0.0
        result["socket_errors"] = sum(result["errors"][k] for k in ("connect", "read", "write", "timeout"))
        result["rss_peak_kib"] = self.record_rss(target)
        result["nginx_errors"] = self.new_error_log_lines()
        if not result["stopped_threads"] and result["rps"] > 0:
            # The first measurement replaces the guess; later ones can only raise the estimate.
            known = self.rates[target] if target in self.measured else 0.0
            self.rates[target] = max(known, result["rps"])
            self.measured.add(target)
        problems = []
        if result["non_2xx"]:
            problems.append("%d non-2xx (first: %s)" % (result["non_2xx"], result["first_bad"]))
        if result["socket_errors"]:
            problems.append("socket errors %s" % result["errors"])
        if result["replayed"]:
            problems.append("%d requests sent twice" % result["replayed"])
        if result["stopped_threads"]:
            problems.append("ran out of pre-signed requests even with %d; the rate is understated" % result["signed"])
        if result["requests"] == 0:
            problems.append("no request completed")
        for line in result["nginx_errors"][:5]:
            self.notes.append("%s %s: nginx: %s" % (target, label, line))
        if problems:
            self.failures.append("%s round %s: %s" % (target, label, "; ".join(problems)))
        log("  %-5s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %d  socket errors %d  worker peak RSS %.1f MiB"
            "  worker CPU %.0f us/req (user %.0f)  nginx %.0f%s  machine busy %.0f  idle %.0f%%  (%d lines made in %.1f s)" % (
                target, result["rps"], result["latency_us"]["p50"] / 1000, result["latency_us"]["p99"] / 1000,
                result["non_2xx"], result["socket_errors"], result["rss_peak_kib"] / 1024,
                result["worker_cpu_us_per_request"] or 0, result["worker_user_cpu_us_per_request"] or 0,
                result["nginx_cpu_us_per_request"] or 0,
                "" if result["store_cpu_us_per_request"] is None else "  stores %.0f" % result["store_cpu_us_per_request"],
                result["machine_busy_us_per_request"] or 0, 100 * (result["machine_idle_share"] or 0),
                count, sign_seconds))
        return result

    def wrk(self, path, prefix, reserve, duration, threads, connections):
        url = "http://127.0.0.1:%d%s" % (self.port, path)
        argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", "%ds" % duration, "--timeout", "5s",
                "-s", LUA_SCRIPT, url, "--", prefix, str(reserve), path, "127.0.0.1:%d" % self.port]
        proc = self.procs.start("wrk", argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(timeout=duration + 60)
        except subprocess.TimeoutExpired:
            raise BenchError("wrk did not finish within %d s" % (duration + 60))
        finally:
            self.procs.stop(proc)
        text = out.decode(errors="replace")
        match = re.search(r"^BENCH-RESULT (.*)$", text, re.M)
        if proc.returncode != 0 or not match:
            raise BenchError("wrk failed (%s):\n%s\n%s" % (proc.returncode, text, err.decode(errors="replace")))
        result = json.loads(match.group(1))
        result["wrk_output"] = text[:match.start()].strip()
        return result

    def flow_run(self, label, count, seconds):
        """Flows, one after another, until `count` are done or `seconds` have passed."""
        provider = self.flow_provider
        tags, client_seconds = [], []
        deadline = time.monotonic() + seconds
        failures = 0
        i = 0
        while i < count and time.monotonic() < deadline:
            tag = "%s-%d" % (label, i)
            try:
                _, _, counted = provider.flow(self.clients["hmac"], tag)
                tags.append(tag)
                client_seconds.append(counted)
            except (FlowFailure, OSError, http.client.HTTPException) as e:
                failures += 1
                self.failures.append("flow round %s: %s" % (label, e))
                if failures >= 3:
                    break
            i += 1
        provider.http.close()
        # nginx writes an access log line in its log phase, just after the response went out: give the last
        # flow's lines a moment to arrive.
        wanted = set(tags)
        deadline = time.monotonic() + 3
        server_ms, steps = self.read_flow_log(wanted)
        while len(server_ms) < len(wanted) and time.monotonic() < deadline:
            time.sleep(0.05)
            server_ms, steps = self.read_flow_log(wanted)
        missing = len(tags) - len(server_ms)
        if missing:
            self.failures.append("flow round %s: %d flows missing from the access log" % (label, missing))
        for line in self.new_error_log_lines()[:5]:
            self.notes.append("flow %s: nginx: %s" % (label, line))
        peak = self.record_rss("flow")
        values = sorted(server_ms.values())
        result = {"target": "flow", "round": label, "flows": len(tags), "failed": failures,
                  "server_ms": values,
                  "client_ms": sorted(round(s * 1000, 3) for s in client_seconds),
                  "steps_ms": {k: [round(x, 3) for x in v] for k, v in steps.items()},
                  "rss_peak_kib": peak}
        if values:
            log("  flow  %d flows: server time per flow median %.2f ms (mean %.2f, p90 %.2f), client wall median"
                " %.2f ms" % (len(values), statistics.median(values), statistics.mean(values),
                               percentile(values, 0.9), statistics.median(result["client_ms"])))
        else:
            self.failures.append("flow round %s: no flow completed" % label)
        return result

    def read_flow_log(self, tags):
        """Per flow tag, the sum of $upstream_response_time (ms) over its initiate, authorize and token requests;
        and per step, the list of times."""
        per_flow, seen, steps = {}, {}, {}
        counted = {"initiate", "authorize", "token"}
        with open(self.flow_log) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) < 5 or parts[0] not in tags:
                    continue
                tag, step, status, upstream = parts[0], parts[1], parts[2], parts[3]
                try:
                    # "0.004" or, when nginx tried more than one connection, "0.001, 0.003" (split by spaces here).
                    ms = sum(float(x.strip(",")) for x in parts[3:-1] if x.strip(",") not in ("-", "", ":")) * 1000
                except ValueError:
                    continue
                steps.setdefault(step, []).append(ms)
                if step in counted:
                    per_flow[tag] = per_flow.get(tag, 0.0) + ms
                    seen.setdefault(tag, set()).add(step)
        complete = {tag: round(ms, 3) for tag, ms in per_flow.items() if seen[tag] == counted}
        return complete, steps

    def cgi_run(self, label, runs):
        client = self.clients["hmac"]
        token, secret = self.tokens["hmac"]
        credentials = presign.Credentials(client["client_id"], client["client_secret"], token, secret, "HMAC-SHA1")
        headers = presign.sign_headers("http://127.0.0.1:%d/oauth/user" % CGI_PORT, credentials, runs, processes=1)
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        base.update({k: v for k, v in self.env.items() if k.startswith("OAUTH1_")})
        base.update({
            "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_METHOD": "GET",
            "REQUEST_URI": "/oauth/user", "SCRIPT_NAME": "/oauth", "QUERY_STRING": "", "REQUEST_SCHEME": "http",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(CGI_PORT), "HTTP_HOST": "127.0.0.1:%d" % CGI_PORT,
            "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": "0",
        })
        times, bad = [], 0
        for header in headers:
            env = dict(base, HTTP_AUTHORIZATION=header)
            started = time.perf_counter()
            result = subprocess.run([self.args.binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, timeout=30)
            elapsed = time.perf_counter() - started
            times.append(elapsed * 1000)
            if result.returncode != 0 or not result.stdout.startswith(b"Status: 200 OK"):
                bad += 1
                if bad == 1:
                    self.failures.append("cgi round %s: exit %d, output %r, stderr %r" % (
                        label, result.returncode, result.stdout[:200], result.stderr[:200]))
        if bad > 1:
            self.failures.append("cgi round %s: %d of %d runs did not answer 200" % (label, bad, runs))
        result = {"target": "cgi", "round": label, "runs": runs, "non_200": bad, "ms": [round(t, 3) for t in times]}
        log("  cgi   %d runs: median %.2f ms, p90 %.2f ms" % (runs, statistics.median(times), percentile(times, 0.9)))
        return result

    def profile(self, target):
        """--profile: perf-record the oauth1-fcgi workers (DWARF call graphs) during one extra load run of `target`, write
        the report to bench/last-profile.txt and print the top of it. A profile that cannot be taken is only a note."""
        if not shutil.which("perf"):
            self.notes.append("--profile: perf is not installed (apt-get install linux-perf)")
            return
        pids = ",".join(str(p) for p in self.worker_pids(target))
        data = os.path.join(self.tmp, "perf.data")
        seconds = min(3, self.args.duration)
        started = []

        def start_perf():
            # Only once the requests are signed, which takes longer than the load itself.
            started.append(self.procs.start("perf record", [
                "perf", "record", "-q", "-F", "999", "--call-graph", "dwarf,16384", "-o", data, "-p", pids, "--",
                "sleep", str(seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))

        err = b""
        try:
            self.wrk_run(target, seconds, "profile", before_load=start_perf)
            try:
                _, err = started[0].communicate(timeout=seconds + 60)
            except subprocess.TimeoutExpired:
                raise BenchError("perf record did not finish")
        finally:
            for perf in started:
                self.procs.stop(perf)
        perf = started[0]
        if perf.returncode != 0 or not os.path.exists(data):
            self.notes.append("--profile: perf record failed: %s" % err.decode(errors="replace").strip()[:300])
            return
        sections = []
        for title, argv in (
                ("share of samples per binary (self)", ["--no-children", "--sort", "dso"]),
                ("functions by inclusive share (children), >= 2%", ["--children", "--sort", "sym",
                                                                     "--percent-limit", "2"]),
                ("functions by self share, >= 0.7%", ["--no-children", "--sort", "dso,sym", "--percent-limit",
                                                      "0.7"])):
            report = subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none"] + argv,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
            lines = [l.rstrip() for l in report.stdout.decode(errors="replace").splitlines()
                     if l.strip() and not l.startswith("#")]
            sections.append((title, lines))
        text = "\n\n".join("== %s\n%s" % (title, "\n".join(lines)) for title, lines in sections) + "\n"
        demangle = shutil.which("swift-demangle")
        if demangle:
            result = subprocess.run([demangle, "--simplified"], input=text.encode(), stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, timeout=60)
            if result.returncode == 0:
                text = result.stdout.decode(errors="replace")
        path = os.path.join(BENCH_DIR, "last-profile.txt")
        with open(path, "w") as fh:
            fh.write("perf profile of the oauth1-fcgi workers under %s load (%d s, wrk -t%d -c%d)\n\n"
                     % (target.upper(), seconds, self.args.threads, self.args.connections))
            fh.write(text)
        log("profile of the oauth1-fcgi workers under %s load (perf; full report in %s):" % (target.upper(), path))
        for line in text.splitlines()[:45]:
            log("    " + line[:160])

    # -- the run -------------------------------------------------------------------------------------------------------

    def run(self):
        args = self.args
        self.setup()
        like = presign.sign_headers("http://127.0.0.1:%d/oauth/user" % self.port, presign.Credentials(
            self.clients["hmac"]["client_id"], self.clients["hmac"]["client_secret"], *self.tokens["hmac"]), 1)[0]
        self.floor_template = like
        order = ["floor", "hmac", "rsa", "flow", "cgi"]
        if args.warmup > 0:
            log("warm-up (%d s per load target, discarded; sizes the pre-signed batches)" % args.warmup)
            for target in ("floor", "hmac", "rsa"):
                self.wrk_run(target, args.warmup, "warmup")
        cgi_per_round = max(1, int(math.ceil(args.cgi_runs / float(args.rounds))))
        flows_per_round = max(1, int(math.ceil(args.flows / float(args.rounds))))
        for r in range(args.rounds):
            # Rotate the order so no target always runs first (or right after the same neighbour).
            shift = r % len(order)
            log("round %d of %d" % (r + 1, args.rounds))
            for target in order[shift:] + order[:shift]:
                label = str(r + 1)
                if target in ("floor", "hmac", "rsa"):
                    self.results[target].append(self.wrk_run(target, args.duration, label))
                elif target == "flow":
                    self.results["flow"].append(self.flow_run(label, flows_per_round, max(args.duration * 4, 5)))
                else:
                    self.results["cgi"].append(self.cgi_run(label, cgi_per_round))
        if self.stores is not None:
            self.round_trips = self.measure_round_trips()
        self.rss_detail = {"oauth1-fcgi": [memory_detail(p) for p in self.worker_pids("hmac")],
                           "floor": [memory_detail(p) for p in self.worker_pids("floor")]}
        if args.profile:
            self.profile(args.profile)
        # For the report: what one sign-in (scrypt) does to a worker's peak RSS.
        if args.login_rss:
            provider = Provider(self.port)
            before = [memory_kib(p) for p in self.worker_pids("hmac")]
            for _ in range(args.workers):
                provider.http.cookies.clear()
                provider.login(USERNAME, PASSWORD)
            provider.http.close()
            after = [memory_kib(p) for p in self.worker_pids("hmac")]
            self.login_rss = {"before_kib": max(m[0] for m in before if m), "after_kib": max(m[0] for m in after if m)}
        else:
            self.login_rss = None
        with open(self.serve_log, errors="replace") as fh:
            self.supervisor_log = fh.read().splitlines()[-50:]

    def store_server_pids(self):
        """redis-server, the postmaster and its backends, when the bench runs its own (--store postgres); else none."""
        if self.stores is None:
            return []
        return [self.stores.redis.pid, self.stores.postgres.pid] + children_of(self.stores.postgres.pid)

    def measure_round_trips(self, count=200):
        """PostgreSQL transactions and Redis commands per protected request: `count` HMAC requests one after another."""
        lines = presign.sign_headers("http://127.0.0.1:%d/oauth/user" % self.port, presign.Credentials(
            self.clients["hmac"]["client_id"], self.clients["hmac"]["client_secret"], *self.tokens["hmac"]), count)
        before = self.stores.counters()
        for authorization in lines:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            connection.request("GET", "/oauth/user", headers={"Authorization": authorization})
            status = connection.getresponse().status
            connection.close()
            if status != 200:
                raise BenchError("GET /oauth/user answered %d while counting round trips" % status)
        after = self.stores.counters()
        return {"requests": count, "postgres_transactions_per_request": (after[0] - before[0]) / count,
                "redis_commands_per_request": (after[1] - before[1]) / count,
                "postgres_connections": self.stores.connections()}

    # -- report --------------------------------------------------------------------------------------------------------

    def summary(self):
        args = self.args
        out = {}
        for target in ("floor", "hmac", "rsa"):
            runs = self.results[target]
            if not runs:
                continue
            out[target] = {
                "rps": statistics.median(r["rps"] for r in runs),
                "p50_ms": statistics.median(r["latency_us"]["p50"] for r in runs) / 1000,
                "p99_ms": statistics.median(r["latency_us"]["p99"] for r in runs) / 1000,
                "non_2xx": sum(r["non_2xx"] for r in runs),
                "socket_errors": sum(r["socket_errors"] for r in runs),
                "rps_rounds": [round(r["rps"], 1) for r in runs],
                "rss_peak_mib": max(r["rss_peak_kib"] for r in runs) / 1024,
                "worker_cpu_us_per_request": statistics.median(
                    r["worker_cpu_us_per_request"] or 0 for r in runs),
                "worker_user_cpu_us_per_request": statistics.median(
                    r.get("worker_user_cpu_us_per_request") or 0 for r in runs),
                "nginx_cpu_us_per_request": statistics.median(r["nginx_cpu_us_per_request"] or 0 for r in runs),
                "store_cpu_us_per_request": (statistics.median(r["store_cpu_us_per_request"] for r in runs)
                                             if all(r.get("store_cpu_us_per_request") is not None for r in runs)
                                             else None),
                "machine_busy_us_per_request": statistics.median(
                    r["machine_busy_us_per_request"] or 0 for r in runs),
                "machine_idle_share": statistics.median(r["machine_idle_share"] or 0 for r in runs),
            }
        flows = [v for r in self.results["flow"] for v in r["server_ms"]]
        client = [v for r in self.results["flow"] for v in r["client_ms"]]
        if flows:
            out["flow"] = {"flows": len(flows), "server_ms_median": statistics.median(flows),
                           "server_ms_mean": statistics.mean(flows), "server_ms_p90": percentile(flows, 0.9),
                           "client_ms_median": statistics.median(client),
                           "failed": sum(r["failed"] for r in self.results["flow"]),
                           "step_mean_ms": {step: statistics.mean(v for r in self.results["flow"]
                                                                  for v in r["steps_ms"].get(step, []))
                                            for step in ("initiate", "consent-page", "authorize", "token")
                                            if any(r["steps_ms"].get(step) for r in self.results["flow"])},
                           "per_round_median_ms": [statistics.median(r["server_ms"]) for r in self.results["flow"]
                                                   if r["server_ms"]]}
        cgi = [v for r in self.results["cgi"] for v in r["ms"]]
        if cgi:
            out["cgi"] = {"runs": len(cgi), "median_ms": statistics.median(cgi), "p90_ms": percentile(cgi, 0.9),
                          "non_200": sum(r["non_200"] for r in self.results["cgi"]),
                          "per_round_median_ms": [statistics.median(r["ms"]) for r in self.results["cgi"]]}
        return out

    def report(self, started_at, elapsed):
        args = self.args
        s = self.summary()
        mode = "keep-alive to the backends (upstream keepalive %d, fastcgi_keep_conn on)" % args.keepalive_connections \
            if args.keepalive else "a new backend connection per request (no upstream keep-alive)"
        mode += "; floor close: %s" % args.floor_close
        log("")
        log("oauth1-fcgi bench, %s, %d round(s) x %d s, wrk -t%d -c%d, %d workers per backend, nginx %d workers, %s"
            % (started_at, args.rounds, args.duration, args.threads, args.connections, args.workers,
               args.nginx_workers, mode))
        if args.setting:
            log("provider settings beyond the bench's own: %s" % " ".join(args.setting))
        log("")
        log("%-26s %10s %9s %9s %8s %8s %13s %14s %9s %10s %12s %6s" % (
            "target", "req/s", "p50 ms", "p99 ms", "non-2xx", "errors", "peak RSS MiB", "CPU us/req", "user us", "nginx us",
            "machine us", "idle"))
        names = {"floor": "floor (libfcgi hello)", "hmac": "GET /user HMAC-SHA1", "rsa": "GET /user RSA-SHA1"}
        for target in ("floor", "hmac", "rsa"):
            if target in s:
                t = s[target]
                log("%-26s %10.0f %9.2f %9.2f %8d %8d %13.1f %14.0f %9.0f %10.0f %12.0f %5.0f%%" % (
                    names[target], t["rps"], t["p50_ms"], t["p99_ms"], t["non_2xx"], t["socket_errors"],
                    t["rss_peak_mib"], t["worker_cpu_us_per_request"], t["worker_user_cpu_us_per_request"],
                    t["nginx_cpu_us_per_request"],
                    t["machine_busy_us_per_request"], 100 * t["machine_idle_share"]))
        if "flow" in s:
            f = s["flow"]
            log("%-26s %d flows, server time per flow median %.2f ms (mean %.2f, p90 %.2f); client wall median %.2f ms"
                % ("flow initiate+auth+token", f["flows"], f["server_ms_median"], f["server_ms_mean"],
                   f["server_ms_p90"], f["client_ms_median"]))
            log("%-26s mean $upstream_response_time per step: %s" % ("", ", ".join(
                "%s %.2f ms" % kv for kv in f["step_mean_ms"].items())))
        if "cgi" in s:
            c = s["cgi"]
            log("%-26s %d runs, median %.2f ms, p90 %.2f ms" % ("CGI GET /user", c["runs"], c["median_ms"],
                                                                 c["p90_ms"]))
        log("")
        hmac_ratio = rsa_ratio = None
        if "floor" in s and s["floor"]["rps"] > 0:
            if "hmac" in s:
                hmac_ratio = s["hmac"]["rps"] / s["floor"]["rps"]
                log("ratio protected/floor: %.2f" % hmac_ratio)
            if "rsa" in s:
                rsa_ratio = s["rsa"]["rps"] / s["floor"]["rps"]
                log("ratio rsa/floor: %.2f" % rsa_ratio)
        worker_rss = max(s[t]["rss_peak_mib"] for t in ("hmac", "rsa") if t in s) if ("hmac" in s or "rsa" in s) \
            else None
        worker_rss = max(worker_rss or 0, self.rss["oauth1-fcgi"] / 1024) if self.rss["oauth1-fcgi"] else worker_rss
        checks = []

        def check(name, value, limit, fmt, higher_is_better):
            if value is None:
                checks.append((name, None, False))
                log("  %-34s %s" % (name, "not measured  FAIL"))
                return
            ok = value >= limit if higher_is_better else value <= limit
            checks.append((name, value, ok))
            log("  %-34s %s  %s" % (name, fmt % value, "PASS" if ok else "FAIL"))

        log("")
        log("targets:")
        hmac_target = TARGET_HMAC_RATIO_POSTGRES if args.store == "postgres" else TARGET_HMAC_RATIO
        check("HMAC >= %.2f x floor" % hmac_target, hmac_ratio, hmac_target, "%.2f", True)
        check("RSA >= %.2f x floor" % TARGET_RSA_RATIO, rsa_ratio, TARGET_RSA_RATIO, "%.2f", True)
        check("worker RSS <= %.0f MiB" % TARGET_RSS_MIB, worker_rss, TARGET_RSS_MIB, "%.1f MiB", False)
        check("CGI median <= %.0f ms" % TARGET_CGI_MS, s.get("cgi", {}).get("median_ms"), TARGET_CGI_MS,
              "%.2f ms", False)
        check("flow server time <= %.0f ms" % TARGET_FLOW_MS, s.get("flow", {}).get("server_ms_median"),
              TARGET_FLOW_MS, "%.2f ms", False)
        log("")
        if self.rss_detail and self.rss_detail["oauth1-fcgi"]:
            d = max(self.rss_detail["oauth1-fcgi"], key=lambda m: m.get("VmHWM", 0))
            if d.get("VmHWM"):
                log("note: an oauth1-fcgi worker after the runs: VmHWM %.1f MiB, VmRSS %.1f = RssFile %.1f (binary and "
                    "libraries, shared between workers) + RssAnon %.1f; PSS %.1f MiB, private %.1f MiB" % tuple(
                        d.get(k, 0) / 1024 for k in ("VmHWM", "VmRSS", "RssFile", "RssAnon", "Pss", "Private")))
        if self.login_rss:
            log("note: one sign-in raises a worker's peak RSS from %.1f to %.1f MiB (scrypt N=2^15, r=8 allocates "
                "32 MiB); measured after the runs above, not part of the RSS target" % (
                    self.login_rss["before_kib"] / 1024, self.login_rss["after_kib"] / 1024))
        if self.round_trips:
            r = self.round_trips
            log("note: store: PostgreSQL (data) and Redis (nonces, temporary credentials); per protected request "
                "%.2f PostgreSQL transactions and %.2f Redis commands (%d requests one after another); %d PostgreSQL "
                "connections open" % (r["postgres_transactions_per_request"], r["redis_commands_per_request"],
                                      r["requests"], r["postgres_connections"]))
            spent = {t: s[t].get("store_cpu_us_per_request") for t in ("hmac", "rsa") if t in s}
            if any(v is not None for v in spent.values()):
                log("note: store servers' CPU (redis-server, PostgreSQL and its backends, on this machine) per request: "
                    + ", ".join("%s %.0f us" % (t, v) for t, v in spent.items() if v is not None)
                    + "; part of 'machine us' above")
        for note in self.notes[:20]:
            log("note: " + note)
        for failure in self.failures:
            log("FAILED RUN: " + failure)
        document = {
            "started_at": started_at,
            "elapsed_seconds": round(elapsed, 1),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "tools": {"wrk": tool_version(["wrk", "-v"]), "nginx": tool_version(["nginx", "-v"])},
            "binary": args.binary,
            "git": git_state(),
            "binary_mtime": datetime.datetime.fromtimestamp(os.path.getmtime(args.binary)).isoformat(
                timespec="seconds"),
            "config": {"rounds": args.rounds, "duration_s": args.duration, "warmup_s": args.warmup,
                       "threads": args.threads, "connections": args.connections, "workers": args.workers,
                       "nginx_workers": args.nginx_workers, "keepalive": args.keepalive,
                       "floor_close": args.floor_close,
                       "keepalive_connections": args.keepalive_connections if args.keepalive else None,
                       "smoke": args.smoke, "store": args.store, "settings": args.setting},
            "round_trips": self.round_trips,
            "summary": s,
            "ratios": {"protected/floor": hmac_ratio, "rsa/floor": rsa_ratio},
            "targets": [{"name": n, "value": v, "pass": ok} for n, v, ok in checks],
            "login_rss": self.login_rss,
            "rss_detail_kib": self.rss_detail,
            "supervisor_log_tail": self.supervisor_log,
            "failures": self.failures,
            "notes": self.notes,
            "signing": self.signing,
            "runs": {k: [{kk: vv for kk, vv in r.items() if kk not in ("wrk_output",)} for r in v]
                     for k, v in self.results.items()},
        }
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(document, fh, indent=1)
                fh.write("\n")
            log("")
            log("results: %s" % args.json)
        return all(ok for _, _, ok in checks)


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Benchmark oauth1-fcgi against a bare libfcgi floor behind one nginx.")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds over all targets (default 3)")
    ap.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    ap.add_argument("--warmup", type=int, default=None, help="seconds of discarded load per wrk target first "
                                                             "(default 2; 0 with --smoke)")
    ap.add_argument("--smoke", action="store_true", help="1 round of 1 s per target, few flows and CGI runs "
                                                         "(well under 30 s): checks that everything works")
    ap.add_argument("--binary", default=DEFAULT_BINARY, help="the oauth1-fcgi binary (default: the release build)")
    ap.add_argument("--keepalive", action="store_true",
                    help="keep nginx's connections to both backends alive (upstream keepalive + fastcgi_keep_conn)")
    ap.add_argument("--keepalive-connections", type=int, default=None,
                    help="idle backend connections each nginx worker keeps with --keepalive (default: fewer in total "
                         "than backend workers)")
    ap.add_argument("--enforce-targets", action="store_true", help="exit 3 when a target is missed")
    ap.add_argument("--workers", type=int, default=2, help="worker processes of each backend (default 2)")
    ap.add_argument("--nginx-workers", type=int, default=None, help="nginx worker processes (default 2; 1 with "
                                                                    "--keepalive)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    ap.add_argument("--flows", type=int, default=300, help="flows in all rounds together (default 300)")
    ap.add_argument("--cgi-runs", type=int, default=200, help="CGI runs in all rounds together (default 200)")
    ap.add_argument("--sign-processes", type=int, default=2, help="processes signing requests (default 2)")
    ap.add_argument("--floor-close", choices=("plain", "graceful"), default="plain",
                    help="how the floor ends a connection: 'plain' (default), like oauth1-fcgi, a plain close once the "
                         "request's input has ended; 'graceful', libfcgi's own shutdown-poll-read")
    ap.add_argument("--profile", nargs="?", const="hmac", choices=("hmac", "rsa"), default=None,
                    help="perf-record the workers during one extra load run of this target (default hmac)")
    ap.add_argument("--no-login-rss", dest="login_rss", action="store_false",
                    help="skip the note on what a sign-in does to worker RSS")
    ap.add_argument("--json", default=None, help="machine-readable results (default bench/last-run.json, with --smoke "
                                                 "bench/last-smoke.json; '' for none)")
    ap.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite",
                    help="where the provider keeps its state: 'sqlite' (the data directory, default) or 'postgres' "
                         "(PostgreSQL for data and Redis for nonces, both started by the bench on unix sockets)")
    ap.add_argument("--setting", action="append", default=[], metavar="OAUTH1_KEY=VALUE",
                    help="one more setting for the provider (repeatable), such as "
                         "OAUTH1_CACHE_CHECK_INTERVAL_MS=0; the report lists them")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temp dir (configs, logs) for a look")
    ap.add_argument("--time-limit", type=int, default=None, help="abort after this many seconds (default: "
                                                                 "generous for the chosen rounds)")
    args = ap.parse_args(argv)
    for setting in args.setting:
        key, _, _ = setting.partition("=")
        if not key.startswith("OAUTH1_") or "=" not in setting:
            ap.error("--setting takes OAUTH1_KEY=VALUE, not %r" % setting)
    if args.smoke:
        # Sign in this process: a smoke run signs little, and a pool of forked signers is one more thing to hang.
        args.sign_processes = 1
        args.rounds, args.duration = 1, 1
        args.flows = min(args.flows, 20)
        args.cgi_runs = min(args.cgi_runs, 10)
        if args.warmup is None:
            args.warmup = 0
    if args.warmup is None:
        args.warmup = 2
    if args.json is None:
        args.json = DEFAULT_SMOKE_JSON if args.smoke else DEFAULT_JSON
    if args.nginx_workers is None:
        args.nginx_workers = 1 if args.keepalive else 2
    if args.keepalive_connections is None:
        args.keepalive_connections = max(1, (args.workers - 1) // args.nginx_workers)
    if args.rounds < 1 or args.duration < 1 or args.threads < 1 or args.connections < args.threads:
        ap.error("rounds and duration must be >= 1 and connections >= threads")
    if args.time_limit is None:
        args.time_limit = 300 + args.rounds * (args.duration * 3 * 4 + 200)
    args.binary = os.path.abspath(args.binary)
    return args


def main(argv=None):
    # A parent (such as a test runner's thread) may have started us with signals blocked, and every process we start
    # inherits the mask: the floor, spawn-fcgi and signing pools would then ignore the SIGTERM that stops them.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    args = parse_args(sys.argv[1:] if argv is None else argv)
    for tool in ("wrk", "nginx", "spawn-fcgi", "cc", "openssl"):
        if not shutil.which(tool):
            print("bench: %s is not installed (apt-get install wrk nginx spawn-fcgi libfcgi-dev openssl)" % tool,
                  file=sys.stderr)
            return 1
    if not os.access(args.binary, os.X_OK):
        print("bench: %s is not an executable; build it with swift build -c release" % args.binary, file=sys.stderr)
        return 1
    if args.keepalive and args.nginx_workers * args.keepalive_connections >= args.workers:
        log("warning: %d nginx workers x keepalive %d idle connections can pin all %d backend workers; "
            "expect stalls" % (args.nginx_workers, args.keepalive_connections, args.workers))

    def on_signal(signum, frame):
        raise Terminated()

    def on_alarm(signum, frame):
        raise BenchError("the bench ran past its time limit of %d s" % args.time_limit)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    become_subreaper()
    started_at = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    started = time.monotonic()
    bench = Bench(args)
    status = 0
    try:
        signal.alarm(args.time_limit)
        bench.run()
        signal.alarm(0)
    except (BenchError, FlowFailure, StoreServerError) as e:
        signal.alarm(0)
        bench.failures.append("bench: %s" % e)
        print("bench: %s" % e, file=sys.stderr)
        status = 1
    except (KeyboardInterrupt, Terminated):
        signal.alarm(0)
        print("bench: interrupted", file=sys.stderr)
        status = 130
    finally:
        signal.alarm(0)
        bench.procs.stop_all()
        if bench.stores is not None and not (args.keep_temp or status or bench.failures):
            shutil.rmtree(bench.stores.directory, ignore_errors=True)
        if args.keep_temp or status or bench.failures:
            print("bench: logs and configs kept in %s" % bench.tmp, file=sys.stderr)
        else:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    if status == 130:
        return status
    targets_met = bench.report(started_at, time.monotonic() - started)
    if bench.failures:
        return 1
    if args.enforce_targets and not targets_met:
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
