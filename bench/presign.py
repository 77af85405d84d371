#!/usr/bin/python3
"""Pre-signed OAuth 1.0a requests for the `make bench` load runs.

wrk replays nothing and signs nothing: every request it sends carries an
Authorization header made here, with Python oauthlib, before the run starts.
Each header has its own nonce and a fresh timestamp, so every request passes
through oauth1-fcgi's replay check exactly once and no client-side signing is
timed.

Importable (bench/run.py uses sign_headers, write_slices, floor_headers) and
usable on its own:

    /usr/bin/python3 bench/presign.py --url http://127.0.0.1:8080/oauth/user \\
        --client-key KEY --client-secret SECRET --token TOKEN --token-secret TSECRET \\
        --count 20000 --processes 2 --slices 2 --out /tmp/hmac

writes /tmp/hmac-0.txt and /tmp/hmac-1.txt, one header value per line, the
files bench/presigned.lua reads (one per wrk thread).
"""

import argparse
import multiprocessing
import os
import random
import re
import signal
import string
import sys
import time

from oauthlib.oauth1 import SIGNATURE_HMAC, SIGNATURE_RSA, SIGNATURE_TYPE_AUTH_HEADER, Client

METHODS = {"HMAC-SHA1": SIGNATURE_HMAC, "RSA-SHA1": SIGNATURE_RSA}
NONCE = re.compile(r'oauth_nonce="([^"]*)"')
TIMESTAMP = re.compile(r'oauth_timestamp="([0-9]+)"')

# Below this many headers a pool costs more than it saves.
POOL_THRESHOLD = 2000


class Credentials:
    """What a signer needs; plain data so it crosses into pool processes."""

    def __init__(self, client_key, client_secret="", token=None, token_secret=None,
                 signature_method="HMAC-SHA1", rsa_private_key_path=None):
        if signature_method not in METHODS:
            raise ValueError("unsupported signature method %r" % signature_method)
        if signature_method.startswith("RSA-") and not rsa_private_key_path:
            raise ValueError("%s needs an RSA private key file" % signature_method)
        self.client_key = client_key
        self.client_secret = client_secret
        self.token = token
        self.token_secret = token_secret
        self.signature_method = signature_method
        self.rsa_private_key_path = rsa_private_key_path


def load_rsa_key(path):
    """The private key as a cryptography key object.

    oauthlib accepts a PEM string too, but then parses (and, with
    cryptography 38, fully checks) the key for every signature: about 40 ms
    each. jwt's RSAAlgorithm.prepare_key, which oauthlib calls, passes a key
    object through unchanged, so loading it once makes a signature cost only
    the RSA operation (about 0.5 ms for 2048 bits)."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    with open(path, "rb") as fh:
        return load_pem_private_key(fh.read(), password=None)


def make_client(credentials, **extra):
    """An oauthlib Client for the credentials; nonce and timestamp are left
    to oauthlib, which makes new ones on every sign()."""
    rsa_key = None
    if credentials.signature_method.startswith("RSA-"):
        rsa_key = load_rsa_key(credentials.rsa_private_key_path)
    return Client(
        credentials.client_key,
        client_secret=credentials.client_secret,
        resource_owner_key=credentials.token,
        resource_owner_secret=credentials.token_secret,
        signature_method=METHODS[credentials.signature_method],
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        rsa_key=rsa_key,
        **extra
    )


def sign_one(client, url, http_method="GET", body=None, headers=None):
    """(uri, headers, body) as oauthlib's Client.sign returns them."""
    return client.sign(url, http_method=http_method, body=body, headers=headers)


# -- pool workers ---------------------------------------------------------------

_worker_client = None
_worker_url = None


def _pool_init(credentials, url):
    global _worker_client, _worker_url
    # The parent may turn SIGTERM into an exception (bench/run.py does); a pool worker just ends.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_client = make_client(credentials)
    _worker_url = url


def _pool_sign(count):
    out = []
    for _ in range(count):
        _, headers, _ = _worker_client.sign(_worker_url)
        out.append(headers["Authorization"])
    return out


def _chunks(total, parts):
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts) if base + (1 if i < extra else 0) > 0]


def sign_headers(url, credentials, count, processes=2, deadline=None):
    """`count` Authorization header values for GET `url`, each with a unique
    nonce. Signs in `processes` processes when the count makes it worth it.
    Raises RuntimeError if nonces repeat or `deadline` (time.monotonic()) passes."""
    if count <= 0:
        return []
    if processes <= 1 or count < POOL_THRESHOLD:
        client = make_client(credentials)
        headers = []
        for i in range(count):
            if deadline is not None and i % 256 == 0 and time.monotonic() > deadline:
                raise RuntimeError("signing ran past its deadline after %d of %d headers" % (i, count))
            headers.append(client.sign(url)[1]["Authorization"])
    else:
        # Several chunks per process keep both processes busy to the end.
        chunks = _chunks(count, processes * 8)
        context = multiprocessing.get_context("fork")
        with context.Pool(processes, initializer=_pool_init, initargs=(credentials, url)) as pool:
            pending = pool.map_async(_pool_sign, chunks)
            timeout = None if deadline is None else max(1.0, deadline - time.monotonic())
            try:
                parts = pending.get(timeout)
            except multiprocessing.TimeoutError:
                pool.terminate()
                raise RuntimeError("signing %d headers took longer than %.0f s" % (count, timeout))
        headers = [h for part in parts for h in part]
    check_unique(headers)
    return headers


def check_unique(headers):
    """Every header has a nonce and no (timestamp, nonce) pair repeats."""
    seen = set()
    for header in headers:
        nonce = NONCE.search(header)
        stamp = TIMESTAMP.search(header)
        if not nonce or not stamp:
            raise RuntimeError("signed header lacks oauth_nonce or oauth_timestamp: %s" % header)
        key = (stamp.group(1), nonce.group(1))
        if key in seen:
            raise RuntimeError("nonce %s repeated; refusing to send a replay" % nonce.group(1))
        seen.add(key)


def floor_headers(count, like):
    """Unsigned stand-ins for the floor run: Authorization values shaped like
    `like` (a real signed header: same parameter names, same length), each with
    its own random nonce, so wrk sends the same number of bytes and does the
    same Lua work for the floor as for the provider. The floor ignores them."""
    now = str(int(time.time()))
    digits = string.digits
    rng = random.Random(os.getpid() ^ int(time.time() * 1000))
    out = []
    for _ in range(count):
        nonce = "".join(rng.choice(digits) for _ in range(29))
        text = NONCE.sub('oauth_nonce="%s"' % nonce, like, count=1)
        text = TIMESTAMP.sub('oauth_timestamp="%s"' % now, text, count=1)
        out.append(text)
    return out


def write_slices(headers, slices, prefix):
    """Split `headers` into `slices` consecutive parts written to
    PREFIX-0.txt ... PREFIX-(slices-1).txt, one value per line; returns the
    paths and the per-slice counts."""
    sizes = _chunks(len(headers), slices)
    while len(sizes) < slices:
        sizes.append(0)
    paths, start = [], 0
    for i, size in enumerate(sizes):
        path = "%s-%d.txt" % (prefix, i)
        with open(path, "w") as fh:
            for header in headers[start:start + size]:
                if "\n" in header or "\r" in header:
                    raise RuntimeError("a header value contains a line break")
                fh.write(header)
                fh.write("\n")
        paths.append(path)
        start += size
    return paths, sizes


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write pre-signed OAuth 1.0a Authorization headers "
                                             "(one per line, one file per wrk thread).")
    ap.add_argument("--url", required=True, help="the exact URL wrk will request, e.g. "
                                                 "http://127.0.0.1:8080/oauth/user")
    ap.add_argument("--client-key", required=True)
    ap.add_argument("--client-secret", default="")
    ap.add_argument("--token", required=True)
    ap.add_argument("--token-secret", required=True)
    ap.add_argument("--signature-method", default="HMAC-SHA1", choices=sorted(METHODS))
    ap.add_argument("--rsa-private-key", metavar="PEM")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--slices", type=int, default=1, help="files to split into (wrk threads)")
    ap.add_argument("--out", required=True, help="path prefix: writes PREFIX-N.txt")
    ap.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
    args = ap.parse_args(argv)
    credentials = Credentials(args.client_key, args.client_secret, args.token, args.token_secret,
                              args.signature_method, args.rsa_private_key)
    started = time.monotonic()
    headers = sign_headers(args.url, credentials, args.count, args.processes,
                           deadline=started + args.timeout)
    paths, sizes = write_slices(headers, args.slices, args.out)
    print("signed %d headers in %.2f s: %s" % (len(headers), time.monotonic() - started,
                                              ", ".join("%s (%d)" % p for p in zip(paths, sizes))),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
