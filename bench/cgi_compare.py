#!/usr/bin/python3
"""CGI wall time of two oauth1-fcgi binaries, interleaved in batches so that both see the same load on a busy machine
(bench/README.md, "What ships: binary size and CGI start").

Sets up like bench/run.py (data directory, clients, token credentials), then runs each binary as CGI for signed
GET /oauth/user requests exactly as run.py's `cgi` target does, alternating batches of --batch runs (A B B A ...) until
each has --runs, and prints the median, p90 and mean of each with the load average before and after.
"""

import argparse
import os
import shutil
import statistics
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)
sys.dont_write_bytecode = True

import run  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", help="the first binary (say, the one before a change)")
    ap.add_argument("b", help="the second binary")
    ap.add_argument("--runs", type=int, default=200, help="CGI runs of each binary (default 200)")
    ap.add_argument("--batch", type=int, default=20, help="runs in a row of one binary (default 20)")
    args = ap.parse_args()
    binaries = {"a": os.path.abspath(args.a), "b": os.path.abspath(args.b)}
    bench_args = run.parse_args(["--binary", binaries["a"], "--json", "", "--workers", "1"])
    run.become_subreaper()
    bench = run.Bench(bench_args)
    times = {"a": [], "b": []}
    try:
        bench.setup()
        bench.stop_provider()
        load_before = os.getloadavg()
        turn = 0
        while min(len(t) for t in times.values()) < args.runs:
            # A B B A A B ...: neither binary always goes first after a pause.
            order = ("a", "b") if turn % 2 == 0 else ("b", "a")
            for key in order:
                if len(times[key]) >= args.runs:
                    continue
                bench.args.binary = binaries[key]
                result = bench.cgi_run("%s%d" % (key, turn), min(args.batch, args.runs - len(times[key])))
                times[key].extend(result["ms"])
            turn += 1
        load_after = os.getloadavg()
        if bench.failures:
            print("failures:\n  " + "\n  ".join(bench.failures), file=sys.stderr)
            return 1
        print("load average before %.2f %.2f %.2f, after %.2f %.2f %.2f" % (load_before + load_after))
        for key in ("a", "b"):
            ms = sorted(times[key])
            print("%s %s: %d runs, median %.2f ms, p90 %.2f ms, mean %.2f ms, min %.2f ms, size %d bytes" % (
                key, binaries[key], len(ms), statistics.median(ms), run.percentile(ms, 0.9), statistics.mean(ms), ms[0],
                os.path.getsize(binaries[key])))
        return 0
    finally:
        bench.procs.stop_all()
        shutil.rmtree(bench.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
