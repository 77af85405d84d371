#!/usr/bin/python3
"""Instructions per protected request, counted by valgrind's callgrind: deterministic, so a before/after comparison
does not drown in this machine's noise (bench/README.md, "Counting instructions").

Sets up like bench/run.py (data, nginx, token credentials), then runs ONE oauth1-fcgi worker under callgrind behind the
same nginx, sends --warmup signed GET /oauth/user requests, zeroes the counters, sends --requests more, one at a time,
and dumps. Prints instructions per request and writes the callgrind file for callgrind_annotate.
"""

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)
sys.dont_write_bytecode = True

import presign  # noqa: E402
import run  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=run.DEFAULT_BINARY)
    ap.add_argument("--target", choices=("hmac", "rsa"), default="hmac")
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=1,
                    help="workers (oauth1-fcgi serve under valgrind) and as many concurrent clients; with 2, each "
                         "worker also pays for what the other's commits cost it (page cache refills, lock waits)")
    ap.add_argument("--serve", action="store_true",
                    help="run the worker(s) under `oauth1-fcgi serve` even with one (spawn-fcgi otherwise): what needs the "
                         "supervisor, such as OAUTH1_STATUS's shared counters, is then measured too")
    ap.add_argument("--setting", action="append", default=[], metavar="OAUTH1_KEY=VALUE",
                    help="one more setting for the provider (repeatable), as bench/run.py takes it")
    ap.add_argument("--strace", action="store_true", help="count system calls with strace -c instead (warm-up included)")
    ap.add_argument("--out", default=os.path.join(BENCH_DIR, "last-callgrind.out"))
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        print("callgrind: valgrind is not installed", file=sys.stderr)
        return 1
    bench_args = run.parse_args(["--binary", args.binary, "--json", "", "--workers", "1"]
                                + [option for setting in args.setting for option in ("--setting", setting)])
    serve = args.workers > 1 or args.serve
    run.become_subreaper()
    bench = run.Bench(bench_args)
    worker = None
    try:
        bench.setup()
        bench.stop_provider()
        out = os.path.abspath(args.out)
        if args.strace:
            wrapper = [shutil.which("strace")] + ([] if os.environ.get("STRACE_FULL") else ["-c"]) + ["-o", out + ".strace"]
        else:
            wrapper = [shutil.which("valgrind"), "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=" + out]
        if serve and args.strace:
            wrapper[1:1] = ["-f"]  # one count over the supervisor and its workers
        elif serve:
            wrapper[1:1] = ["--trace-children=yes"]
            wrapper[-1] = wrapper[-1] + ".%p"
        if serve:
            worker = subprocess.Popen(
                wrapper + [args.binary, "serve", "--listen", "unix:" + bench.oauth_socket, "--workers", str(args.workers),
                           "--max-requests", "0"],
                env=bench.env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(bench.tmp, "callgrind.log"), "wb"))
        else:
            worker = subprocess.Popen(
                ["spawn-fcgi", "-n", "-s", bench.oauth_socket, "-M", "0660", "--"] + wrapper + [args.binary],
                env=bench.env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(bench.tmp, "callgrind.log"), "wb"))
        run.wait_until("callgrind worker", lambda: bench.http_ok("/oauth/health"), 60)
        client = bench.clients[args.target]
        token, secret = bench.tokens[args.target]
        credentials = presign.Credentials(client["client_id"], client.get("client_secret", ""), token, secret,
                                          client["method"], client.get("rsa_key"))
        url = "http://127.0.0.1:%d/oauth/user" % bench.port
        headers = presign.sign_headers(url, credentials, args.warmup + args.requests, processes=1,
                                       deadline=time.monotonic() + 200)

        def send(values):
            http = run.Http(bench.port, timeout=60)
            for value in values:
                status, _, body = http.request("GET", "/oauth/user", headers={"Authorization": value})
                if status != 200:
                    raise run.BenchError("GET /oauth/user answered %d: %s" % (status, body[:200]))

        def send_concurrently(values):
            threads = [threading.Thread(target=send, args=(values[k::args.workers],)) for k in range(args.workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        # Uninstrumented until here: the warm-up requests open the database and prepare the statements.
        send_concurrently(headers[:args.warmup])
        if args.strace:
            send_concurrently(headers[args.warmup:])
            for pid in run.children_of(worker.pid):
                os.kill(pid, 15)
            worker.wait(timeout=20)
            with open(out + ".strace") as fh:
                print(fh.read())
            return 0
        pids = run.children_of(worker.pid) if serve else [worker.pid]
        for pid in pids:
            subprocess.run(["callgrind_control", "-i", "on", str(pid)], check=True, stdout=subprocess.DEVNULL)
        started = time.monotonic()
        send_concurrently(headers[args.warmup:])
        elapsed = time.monotonic() - started
        total = 0
        def dumps():
            # Dump files of this run by name and modification time (a rerun overwrites the names of the last one).
            folder = os.path.dirname(out)
            return {(name, os.stat(os.path.join(folder, name)).st_mtime_ns) for name in os.listdir(folder)
                    if name.startswith(os.path.basename(out) + ".")}

        for pid in pids:
            before = dumps()
            subprocess.run(["callgrind_control", "-d", str(pid)], check=True, stdout=subprocess.DEVNULL)
            run.wait_until("callgrind dump of %d" % pid, lambda: dumps() - before, 30)
            time.sleep(0.5)
            dump = os.path.join(os.path.dirname(out), sorted(dumps() - before)[0][0])
            with open(dump) as fh:
                for line in fh:
                    if line.startswith("summary:") or line.startswith("totals:"):
                        total += int(line.split()[1])
                        break
        print("callgrind: %s, %d worker(s), %d requests: %d instructions, %.0f per request (%.1f s under valgrind); "
              "last dump %s" % (args.target, args.workers, args.requests, total, total / args.requests, elapsed, dump))
        return 0
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        bench.procs.stop_all()
        shutil.rmtree(bench.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
