#!/usr/bin/python3
"""Signed requests sent at once or for a while, with oauthlib, to test what many workers and hosts do together.

  --replay N      sign ONE request and send it N times at the same moment (one thread each, released together):
                  exactly one should be accepted, the others refused as a replayed nonce.
  --seconds S     for S seconds, THREADS threads each send freshly signed requests one after another (a store may be
                  stopped and started meanwhile); every status is counted, and the body of anything but 200 or 503 kept.

Prints one JSON line: {"statuses": {"200": n, ...}, "unexpected": [[status, body], ...], "timeline": [[t, status]...]}
Exit status: 0 when it ran (the caller judges the counts), 2 on bad usage.
"""

import argparse
import json
import threading
import time

import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_AUTH_HEADER, Client


def signer(args):
    return Client(args.client_key, client_secret=args.client_secret, resource_owner_key=args.token,
                  resource_owner_secret=args.token_secret, signature_method=SIGNATURE_HMAC_SHA1,
                  signature_type=SIGNATURE_TYPE_AUTH_HEADER)


def send(url, headers, timeout):
    try:
        response = requests.get(url, headers=headers, timeout=timeout)
        return response.status_code, response.text[:300]
    except requests.RequestException as error:
        return 0, "no answer: %s" % error


def replay(args):
    _, headers, _ = signer(args).sign(args.url)
    barrier = threading.Barrier(args.replay)
    results = [None] * args.replay

    def run(index):
        barrier.wait()
        results[index] = send(args.url, headers, args.timeout)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(args.replay)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, []


def load(args):
    results, timeline, lock = [], [], threading.Lock()
    started = time.monotonic()
    deadline = started + args.seconds

    def run():
        client = signer(args)
        while time.monotonic() < deadline:
            _, headers, _ = client.sign(args.url)
            status, body = send(args.url, headers, args.timeout)
            with lock:
                results.append((status, body))
                timeline.append((round(time.monotonic() - started, 3), status))
            time.sleep(args.pause)

    threads = [threading.Thread(target=run) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, timeline


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--client-key", required=True)
    ap.add_argument("--client-secret", default="")
    ap.add_argument("--token")
    ap.add_argument("--token-secret", default="")
    ap.add_argument("--replay", type=int, default=0, metavar="N")
    ap.add_argument("--seconds", type=float, default=0, metavar="S")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--pause", type=float, default=0.005, help="seconds between one thread's requests")
    ap.add_argument("--timeout", type=float, default=15.0)
    args = ap.parse_args()
    if (args.replay > 0) == (args.seconds > 0):
        ap.error("give exactly one of --replay N and --seconds S")
    results, timeline = replay(args) if args.replay else load(args)
    statuses = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    unexpected = [[status, body] for status, body in results if status not in (200, 503)]
    print(json.dumps({"statuses": statuses, "unexpected": unexpected[:20], "bodies": sorted({b for _, b in results})[:10],
                      "timeline": timeline}))


if __name__ == "__main__":
    main()
