#!/usr/bin/python3
"""Sign ONE OAuth 1.0a request with oauthlib.oauth1.Client and send it
(optionally several times, byte-identical, to prove replays are refused).

Prints one JSON line: {"statuses": [...], "bodies": [...]}.
Exit status: 0 if every --expect-status matched (or none was given),
1 if a status differed or the request could not be sent, 2 on bad usage.
"""

import argparse
import json
import sys
import urllib.parse

import requests
from oauthlib.oauth1 import (
    SIGNATURE_HMAC_SHA1,
    SIGNATURE_HMAC_SHA256,
    SIGNATURE_PLAINTEXT,
    SIGNATURE_RSA_SHA1,
    SIGNATURE_RSA_SHA256,
    SIGNATURE_TYPE_AUTH_HEADER,
    SIGNATURE_TYPE_BODY,
    SIGNATURE_TYPE_QUERY,
    Client,
)

SIGNATURE_METHODS = {
    "HMAC-SHA1": SIGNATURE_HMAC_SHA1,
    "HMAC-SHA256": SIGNATURE_HMAC_SHA256,
    "PLAINTEXT": SIGNATURE_PLAINTEXT,
    "RSA-SHA1": SIGNATURE_RSA_SHA1,
    "RSA-SHA256": SIGNATURE_RSA_SHA256,
}
SIGNATURE_TYPES = {
    "header": SIGNATURE_TYPE_AUTH_HEADER,
    "query": SIGNATURE_TYPE_QUERY,
    "body": SIGNATURE_TYPE_BODY,
}
FORM = "application/x-www-form-urlencoded"
BODYLESS = ("GET", "HEAD", "DELETE")


def key_value(text):
    if "=" not in text:
        raise argparse.ArgumentTypeError("expected k=v, got %r" % text)
    k, v = text.split("=", 1)
    return (k, v)


def header_pair(text):
    if ":" not in text:
        raise argparse.ArgumentTypeError("expected 'Name: value', got %r" % text)
    k, v = text.split(":", 1)
    return (k.strip(), v.strip())


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Make one OAuth 1.0a signed request (oauthlib.oauth1.Client) and print "
                    "the status(es) and body(ies) as one JSON line.")
    ap.add_argument("--url", required=True, help="full request URL (may carry a query string)")
    ap.add_argument("--method", default="GET", type=str.upper,
                    choices=["GET", "POST", "PUT", "DELETE", "HEAD"])
    ap.add_argument("--client-key", required=True, help="oauth_consumer_key")
    ap.add_argument("--client-secret", default="", help="client shared secret (default: empty)")
    ap.add_argument("--token", help="oauth_token (temporary or token credential); omitted if not given")
    ap.add_argument("--token-secret", default="", help="secret of --token (default: empty)")
    ap.add_argument("--signature-method", default="HMAC-SHA1", choices=sorted(SIGNATURE_METHODS))
    ap.add_argument("--rsa-private-key", metavar="FILE", help="PEM private key for RSA-* methods")
    ap.add_argument("--signature-type", default="header", choices=sorted(SIGNATURE_TYPES))
    ap.add_argument("--data", action="append", type=key_value, default=[], metavar="K=V",
                    help="form parameter (repeatable); sent in the form body for POST/PUT, "
                         "appended to the query for GET/HEAD/DELETE")
    ap.add_argument("--json-body", metavar="TEXT",
                    help="send TEXT as an application/json body; oauthlib signs it with oauth_body_hash")
    ap.add_argument("--unhashed", action="store_true",
                    help="with --json-body: sign without the body, so no oauth_body_hash is sent")
    ap.add_argument("--send-body", metavar="TEXT",
                    help="with --json-body: send TEXT instead of the signed body (a tampered body)")
    ap.add_argument("--callback", help="oauth_callback to include (for BASE/initiate)")
    ap.add_argument("--verifier", help="oauth_verifier to include (for BASE/token)")
    ap.add_argument("--realm", help="realm for the Authorization header")
    ap.add_argument("--nonce", help="fixed oauth_nonce (default: random)")
    ap.add_argument("--timestamp", help="fixed oauth_timestamp (default: now)")
    ap.add_argument("--header", action="append", type=header_pair, default=[], metavar="'NAME: VALUE'",
                    help="extra HTTP header (repeatable; not signed)")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="send the identical signed request N times (default 1)")
    ap.add_argument("--expect-status", action="append", type=int, default=[], metavar="S",
                    help="expected status, one per send in order (repeatable)")
    ap.add_argument("--timeout", type=float, default=15.0, help="per-request timeout in seconds")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.expect_status and len(args.expect_status) != args.repeat:
        ap.error("give exactly one --expect-status per send (%d sends, %d given)"
                 % (args.repeat, len(args.expect_status)))
    if args.signature_method.startswith("RSA-") and not args.rsa_private_key:
        ap.error("--rsa-private-key is required for %s" % args.signature_method)
    if args.signature_type == "body" and args.method in BODYLESS:
        ap.error("--signature-type body needs a form body, i.e. --method POST or PUT")
    return args


def build_signed_request(args):
    rsa_key = None
    if args.rsa_private_key:
        with open(args.rsa_private_key) as fh:
            rsa_key = fh.read()
    client = Client(
        args.client_key,
        client_secret=args.client_secret,
        resource_owner_key=args.token,
        resource_owner_secret=args.token_secret,
        callback_uri=args.callback,
        verifier=args.verifier,
        signature_method=SIGNATURE_METHODS[args.signature_method],
        signature_type=SIGNATURE_TYPES[args.signature_type],
        rsa_key=rsa_key,
        realm=args.realm,
        nonce=args.nonce,
        timestamp=args.timestamp,
    )
    url = args.url
    headers = {}
    body = None
    if args.method in BODYLESS:
        if args.data:
            sep = "&" if urllib.parse.urlsplit(url).query else ("" if url.endswith("?") else "?")
            url = url + sep + urllib.parse.urlencode(args.data)
    elif args.json_body is not None:
        body = args.json_body
        headers["Content-Type"] = "application/json"
    elif args.data or args.signature_type == "body":
        body = urllib.parse.urlencode(args.data)
        headers["Content-Type"] = FORM
    if args.json_body is not None and args.unhashed:
        signed_url, signed_headers, _ = client.sign(url, args.method, None, {})
        signed_headers = dict(signed_headers, **headers)
        signed_body = body
    else:
        signed_url, signed_headers, signed_body = client.sign(url, args.method, body, headers)
    if args.json_body is not None and args.send_body is not None:
        signed_body = args.send_body
    signed_headers = dict(signed_headers)
    for k, v in args.header:
        signed_headers[k] = v
    return signed_url, signed_headers, signed_body


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        url, headers, body = build_signed_request(args)
    except (ValueError, OSError) as e:
        print("signed_request.py: cannot sign the request: %s" % e, file=sys.stderr)
        return 1

    statuses, bodies, header_lists = [], [], []
    session = requests.Session()
    for i in range(args.repeat):
        try:
            resp = session.request(args.method, url, data=body, headers=headers,
                                   allow_redirects=False, timeout=args.timeout)
        except requests.RequestException as e:
            print("signed_request.py: send #%d of %s %s failed: %s" % (i + 1, args.method, url, e),
                  file=sys.stderr)
            print(json.dumps({"statuses": statuses, "bodies": bodies}))
            return 1
        statuses.append(resp.status_code)
        bodies.append(resp.text)
        header_lists.append(["%s: %s" % item for item in resp.headers.items()])

    print(json.dumps({"statuses": statuses, "bodies": bodies, "headers": header_lists}))
    if args.expect_status and statuses != args.expect_status:
        for i, (got, want) in enumerate(zip(statuses, args.expect_status)):
            if got != want:
                print("signed_request.py: send #%d of %s %s: HTTP status %d, expected %d; body: %s"
                      % (i + 1, args.method, url, got, want, bodies[i][:4000]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
