#!/usr/bin/python3
"""Send a table of hostile or broken requests to a provider behind nginx, one raw
socket each, and compare every answer with the status and oauth_problem the
table expects.

Prints one JSON object: {"cases": [{"name", "status", "expected", "problem",
"expected_problem", "sentence", "ok"}, ...]}. Exit status 0 when every case
matched, 1 otherwise, 2 on bad usage. Requests that need a valid signature are
signed with oauthlib; everything else is built byte by byte, so nothing here
trusts the provider's own code.
"""

import argparse
import json
import re
import socket
import sys
import time
import urllib.parse

import requests
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER, Client

FORM = "application/x-www-form-urlencoded"


def q(value):
    return urllib.parse.quote(value, safe="~")


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--mount", default="/oauth")
    ap.add_argument("--client-key", required=True)
    ap.add_argument("--client-secret", required=True)
    ap.add_argument("--token", required=True, help="a live token credential")
    ap.add_argument("--token-secret", required=True)
    ap.add_argument("--username", required=True, help="a user to sign in as, for the form cases")
    ap.add_argument("--password", required=True)
    ap.add_argument("--only", help="run only cases whose name contains this")
    return ap.parse_args(argv)


class Corpus:
    def __init__(self, args):
        self.args = args
        self.host = "127.0.0.1:%d" % args.port
        self.base = "http://%s%s" % (self.host, args.mount)
        self.cases = []
        self.counter = 0

    # -- building requests -------------------------------------------------

    def fresh(self):
        self.counter += 1
        return "n%d-%d" % (int(time.time() * 1000), self.counter)

    def oauth_params(self, token=True, **overrides):
        params = {
            "oauth_consumer_key": self.args.client_key,
            "oauth_signature_method": "HMAC-SHA1",
            "oauth_signature": "c2lnbmF0dXJlLW5vdC1jaGVja2VkLXlldA==",
            "oauth_timestamp": str(int(time.time())),
            "oauth_nonce": self.fresh(),
            "oauth_version": "1.0",
        }
        if token:
            params["oauth_token"] = self.args.token
        for key, value in overrides.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return params

    @staticmethod
    def header(params, raw=False):
        encode = (lambda v: v) if raw else q
        return "OAuth " + ", ".join('%s="%s"' % (k, encode(v)) for k, v in params.items())

    def raw(self, method, target, headers=(), body=b"", host=True):
        lines = ["%s %s HTTP/1.1" % (method, target)]
        if host:
            lines.append("Host: " + self.host)
        lines += list(headers)
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append("Content-Length: %d" % len(body))
        lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head + (body if isinstance(body, bytes) else body.encode("latin-1"))

    def signed(self, method, url, body=None, content_type=None, token=True, **client_options):
        client = Client(self.args.client_key, client_secret=self.args.client_secret,
                        resource_owner_key=self.args.token if token else None,
                        resource_owner_secret=self.args.token_secret if token else None,
                        signature_type=SIGNATURE_TYPE_AUTH_HEADER, **client_options)
        headers = {"Content-Type": content_type} if content_type else {}
        signed_url, signed_headers, signed_body = client.sign(url, method, body, headers)
        target = signed_url[len("http://" + self.host):]
        header_lines = ["%s: %s" % (k, v) for k, v in signed_headers.items()]
        data = (signed_body or "").encode("utf-8") if isinstance(signed_body, str) else (signed_body or b"")
        return self.raw(method, target, header_lines, data)

    def add(self, name, request, status, problem=None):
        self.cases.append((name, request, status, problem))

    # -- sending -----------------------------------------------------------

    def send(self, request):
        with socket.create_connection(("127.0.0.1", self.args.port), timeout=20) as conn:
            try:
                conn.sendall(request)
            except (BrokenPipeError, ConnectionResetError):
                pass
            chunks = []
            while True:
                try:
                    chunk = conn.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def dechunk(head, body):
        if "transfer-encoding: chunked" not in head.lower():
            return body
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            try:
                size = int(size_line.split(b";")[0], 16)
            except ValueError:
                break
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2:]
        return out

    def run(self, only=None):
        results = []
        for name, request, expected, expected_problem in self.cases:
            if only and only not in name:
                continue
            if callable(request):
                request = request()
            response = self.send(request)
            head, _, body = response.partition(b"\r\n\r\n")
            head_text = head.decode("latin-1")
            body = self.dechunk(head_text, body)
            match = re.match(r"HTTP/1\.[01] (\d{3})", head_text)
            status = int(match.group(1)) if match else 0
            text = body.decode("utf-8", "replace")
            problem = None
            found = re.search(r"oauth_problem=\"?([a-z_]+)", text) or re.search(r'oauth_problem="([a-z_]+)"', head_text)
            if found:
                problem = found.group(1)
            sentence = urllib.parse.unquote(text)
            ok = (status == expected and (expected_problem is None or problem == expected_problem)
                  and (expected < 400 or (400 <= status < 500 and len(sentence.strip()) >= 10)))
            results.append({"name": name, "status": status, "expected": expected, "problem": problem,
                            "expected_problem": expected_problem, "sentence": sentence[:300], "ok": ok})
        return results

    # -- the table ---------------------------------------------------------

    def build(self):
        a, base, user = self.args, self.base, self.base + "/user"
        path = self.args.mount + "/user"
        hdr = lambda **o: ["Authorization: " + self.header(self.oauth_params(**o))]

        # Size limits: nginx and the provider each refuse with a 4xx.
        self.add("header of 64 KiB", lambda: self.raw("GET", path, ["Authorization: OAuth oauth_nonce=\"" + "a" * 65536 + "\""]), 400)
        self.add("body over the 1 MiB limit", lambda: self.raw("POST", self.args.mount + "/initiate", ["Content-Type: " + FORM], b"a=" + b"b" * (1024 * 1024 + 10)), 413)
        self.add("request target of 20 KiB", lambda: self.raw("GET", path + "?x=" + "y" * 20000), 414)
        self.add("cookie of 16 KiB", lambda: self.raw("GET", self.args.mount + "/", ["Cookie: oauth1_session=" + "c" * 16384]), 400)
        self.add("1500 query parameters", lambda: self.raw("GET", path + "?" + "&".join("p=%d" % (i % 10) for i in range(1500)), hdr()), 400, "parameter_rejected")
        self.add("1500 form parameters", lambda: self.raw("POST", self.args.mount + "/initiate", ["Content-Type: " + FORM] + hdr(token=False), "&".join("p%d=v" % i for i in range(1500)).encode()), 400, "parameter_rejected")
        self.add("Content-Length not a number", lambda: self.raw("POST", self.args.mount + "/initiate", ["Content-Length: 12abc"], host=True), 400)

        # Bytes that no client can have signed.
        self.add("NUL in the query", lambda: self.raw("GET", path + "?a=%00", hdr()), 400, "parameter_rejected")
        self.add("raw NUL in a header", lambda: self.raw("GET", path, ["Authorization: OAuth oauth_nonce=\"a\x00b\""]), 400)
        self.add("control character in Authorization", lambda: self.raw("GET", path, ["Authorization: OAuth oauth_nonce=\"a\x01b\""]), 400)
        self.add("invalid UTF-8 in a query value", lambda: self.raw("GET", path + "?a=%FF%FE", hdr()), 400, "parameter_rejected")
        self.add("overlong UTF-8 in a query value", lambda: self.raw("GET", path + "?a=%C0%AF", hdr()), 400, "parameter_rejected")
        self.add("invalid UTF-8 in a header value", lambda: self.raw("GET", path, ["Authorization: " + self.header(self.oauth_params(oauth_nonce="%FF%FF"), raw=True)]), 400, "parameter_rejected")
        self.add("raw high bytes in the header", lambda: self.raw("GET", path, ["Authorization: OAuth oauth_nonce=\"\xff\xfe\""]), 400)
        for label, bad in [("%G1", "%G1"), ("trailing %", "abc%"), ("%2", "%2"), ("lowercase-only %zz", "%zz")]:
            self.add("bad percent-encoding %s in query" % label, lambda bad=bad: self.raw("GET", path + "?a=" + bad, hdr()), 400, "parameter_rejected")
            self.add("bad percent-encoding %s in header" % label, lambda bad=bad: self.raw("GET", path, ["Authorization: " + self.header(self.oauth_params(oauth_nonce=bad), raw=True)]), 400, "parameter_rejected")
        self.add("bad percent-encoding in the path", lambda: self.raw("GET", self.args.mount + "/us%G1er", hdr()), 400)
        self.add("bad percent-encoding in a sign-in form", lambda: self.raw("POST", self.args.mount + "/login", ["Content-Type: " + FORM], b"username=%ZZ"), 400)
        self.add("bad percent-encoding in a page's query", lambda: self.form_get("/account/applications?revoked=%zz"), 400)
        self.add("bad percent-encoding in a form body", lambda: self.raw("POST", self.args.mount + "/initiate", ["Content-Type: " + FORM] + hdr(token=False), b"a=%ZZ"), 400, "parameter_rejected")

        # Malformed Authorization headers.
        for label, value in [
            ("unterminated quote", 'OAuth oauth_consumer_key="abc'),
            ("unquoted value", "OAuth oauth_consumer_key=abc"),
            ("missing equals", 'OAuth oauth_consumer_key'),
            ("empty name", 'OAuth ="x"'),
            ("only commas", "OAuth ,,,"),
            ("garbage after value", 'OAuth oauth_consumer_key="a"b'),
            ("quote inside name", 'OAuth oauth"x="a"'),
        ]:
            self.add("Authorization: " + label, lambda value=value: self.raw("GET", path, ["Authorization: " + value]), 400)
        self.add("non-OAuth parameter in the header is signed too", lambda: self.raw("GET", path, hdr(foo="bar")), 401, "signature_invalid")
        self.add("Authorization: Basic instead of OAuth", lambda: self.raw("GET", path, ["Authorization: Basic YWxpY2U6cGFzcw=="]), 400, "parameter_absent")
        self.add("Authorization: empty", lambda: self.raw("GET", path, ["Authorization: "]), 400, "parameter_absent")

        # Duplicated and conflicting parameters.
        self.add("oauth_nonce twice in the header", lambda: self.raw("GET", path, ["Authorization: " + self.header(self.oauth_params()) + ', oauth_nonce="again"']), 400, "parameter_rejected")
        self.add("oauth_token in header and query", lambda: self.raw("GET", path + "?oauth_token=" + q(a.token), hdr()), 400, "parameter_rejected")
        self.add("oauth_signature in header and body", lambda: self.raw("POST", path, ["Content-Type: " + FORM] + hdr(), b"oauth_signature=abc"), 400, "parameter_rejected")
        self.add("two Authorization headers", lambda: self.raw("GET", path, hdr() + hdr()), 400)
        self.add("oauth_consumer_key twice in the query", lambda: self.raw("GET", path + "?" + "&".join("%s=%s" % (k, q(v)) for k, v in self.oauth_params().items()) + "&oauth_consumer_key=x"), 400, "parameter_rejected")

        # Absent parameters.
        for name in ["oauth_consumer_key", "oauth_signature", "oauth_signature_method", "oauth_timestamp", "oauth_nonce"]:
            self.add("missing " + name, lambda name=name: self.raw("GET", path, ["Authorization: " + self.header(self.oauth_params(**{name: None}))]), 400, "parameter_absent")
        self.add("no OAuth parameters at all", lambda: self.raw("GET", path), 400, "parameter_absent")

        # Timestamps.
        for label, value, status, problem in [
            ("negative", "-5", 400, "parameter_rejected"),
            ("non-numeric", "yesterday", 400, "parameter_rejected"),
            ("float", "1700000000.5", 400, "parameter_rejected"),
            ("leading plus", "+1700000000", 400, "parameter_rejected"),
            ("hex", "0x6553f100", 400, "parameter_rejected"),
            ("empty", "", 400, "parameter_rejected"),
            ("64-bit overflow", "18446744073709551617", 400, "parameter_rejected"),
            ("Int64.max", "9223372036854775807", 400, "parameter_rejected"),
            ("far future, 18 digits", "999999999999999999", 401, "timestamp_refused"),
            ("one hour old", str(int(time.time()) - 3600), 401, "timestamp_refused"),
            ("one hour ahead", str(int(time.time()) + 3600), 401, "timestamp_refused"),
            ("zero", "0", 400, "parameter_rejected"),
            ("with spaces", " 1700000000 ", 400, "parameter_rejected"),
        ]:
            self.add("timestamp " + label, lambda value=value: self.raw("GET", path, hdr(oauth_timestamp=value)), status, problem)

        # Nonces.
        self.add("empty nonce", lambda: self.raw("GET", path, hdr(oauth_nonce="")), 400, "parameter_rejected")
        self.add("nonce of 4 KiB", lambda: self.raw("GET", path, hdr(oauth_nonce="n" * 4096)), 400, "parameter_rejected")
        self.add("nonce of 256 bytes", lambda: self.raw("GET", path, hdr(oauth_nonce="n" * 256)), 400, "parameter_rejected")
        self.add("replayed nonce", self.replayed_nonce(), 401, "nonce_used")

        # Present but empty protocol parameters (RFC 5849 sections 3.1 and 3.3), from each of the three locations.
        for name in ["oauth_consumer_key", "oauth_signature_method", "oauth_timestamp"]:
            self.add("empty %s in the header" % name, lambda name=name: self.raw("GET", path, hdr(**{name: ""})), 400, "parameter_rejected")
        self.add("empty nonce in the query", lambda: self.raw("GET", path + "?" + urllib.parse.urlencode(self.oauth_params(oauth_nonce=""))),
                 400, "parameter_rejected")
        self.add("empty consumer key in a form body", lambda: self.raw("POST", self.args.mount + "/initiate", ["Content-Type: " + FORM],
                 urllib.parse.urlencode(self.oauth_params(token=False, oauth_consumer_key="", oauth_callback="oob")).encode()),
                 400, "parameter_rejected")

        # Signatures.
        for label, value in [("wrong length", "YWJj"), ("bad base64", "!!!not-base64!!!"),
                             ("base64 of 20 zero bytes", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="), ("4 KiB", "A" * 4096)]:
            self.add("signature " + label, lambda value=value: self.raw("GET", path, hdr(oauth_signature=value)), 401, "signature_invalid")
        self.add("signature empty", lambda: self.raw("GET", path, hdr(oauth_signature="")), 400, "parameter_rejected")
        self.add("signature for another URL", lambda: self.signed_for_other_url(), 401, "signature_invalid")
        self.add("RSA-SHA1 from a client without a key", lambda: self.raw("GET", path, hdr(oauth_signature_method="RSA-SHA1")), 400, "signature_method_rejected")
        self.add("unsupported signature method", lambda: self.raw("GET", path, hdr(oauth_signature_method="HMAC-MD5")), 400, "signature_method_rejected")
        self.add("lowercase signature method", lambda: self.raw("GET", path, hdr(oauth_signature_method="hmac-sha1")), 400, "signature_method_rejected")
        self.add("oauth_version 2.0", lambda: self.raw("GET", path, hdr(oauth_version="2.0")), 400, "version_rejected")

        # Credentials that do not exist, or are the wrong kind.
        self.add("unknown consumer key", lambda: self.raw("GET", path, hdr(oauth_consumer_key="no-such-client")), 401, "consumer_key_unknown")
        self.add("unknown token", lambda: self.raw("GET", path, hdr(oauth_token="no-such-token")), 401, "token_rejected")
        self.add("token credential used at the token endpoint", lambda: self.signed("POST", base + "/token", verifier="abcdef"), 401, "token_rejected")
        self.add("two-legged request from a client not allowed it", lambda: self.signed("GET", user, token=False), 400, "parameter_absent")
        self.add("token endpoint without a verifier", lambda: self.signed("POST", base + "/token"), 400)

        # SQL metacharacters in every field.
        sql = ["' OR '1'='1", "\"; DROP TABLE clients; --", "x' UNION SELECT secret FROM clients --", "%27%20OR%201%3D1"]
        for i, value in enumerate(sql):
            self.add("SQL in consumer key #%d" % i, lambda value=value: self.raw("GET", path, hdr(oauth_consumer_key=value)), 401, "consumer_key_unknown")
            self.add("SQL in token #%d" % i, lambda value=value: self.raw("GET", path, hdr(oauth_token=value)), 401, "token_rejected")
            self.add("SQL in a signed nonce #%d" % i, lambda value=value: self.signed("GET", user, nonce=value[:60] + self.fresh()), 200)
            self.add("SQL in the authorize token #%d" % i, lambda value=value: self.form_get("/authorize?oauth_token=" + q(value)), 400)
            self.add("SQL in a signed callback #%d" % i, lambda value=value: self.signed("POST", base + "/initiate", token=False, callback_uri=value), 400, "parameter_rejected")
        self.add("SQL in a sign-in username", lambda: self.login_attempt("admin' --", "x"), 401)

        # Callbacks that must never be redirected to.
        for label, value in [("javascript:", "javascript:alert(1)"), ("data:", "data:text/html,<script>alert(1)</script>"),
                             ("userinfo", "https://user:pass@evil.example/cb"), ("fragment", "https://app.example/cb#frag"),
                             ("relative", "/cb"), ("ftp:", "ftp://app.example/cb"), ("CRLF", "https://app.example/cb\r\nSet-Cookie: x=1"),
                             ("no host", "https:///cb"), ("file:", "file:///etc/passwd"), ("vbscript:", "vbscript:msgbox(1)"),
                             ("4 KiB", "https://app.example/" + "c" * 4096), ("oob with space", "oob ")]:
            self.add("callback " + label, lambda value=value: self.signed("POST", base + "/initiate", token=False, callback_uri=value), 400, "parameter_rejected")

        # Wrong methods.
        for method, route in [("GET", "/initiate"), ("PUT", "/initiate"), ("GET", "/token"), ("DELETE", "/token"),
                              ("PATCH", "/user"), ("PUT", "/user"), ("DELETE", "/logout"), ("GET", "/logout"),
                              ("PUT", "/authorize"), ("POST", "/health"), ("POST", "/"), ("DELETE", "/developer")]:
            self.add("%s %s" % (method, route), lambda method=method, route=route: self.raw(method, self.args.mount + route), 405)
        self.add("method with a bad character", lambda: self.raw("G(T", path), 400)

        # Paths that lead nowhere, traversal included.
        for target in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/templates/login.mustache",
                       "/login.mustache", "/header%2emustache", "/var/oauth1.sqlite", "/session.key"]:
            # nginx itself refuses a path that climbs above the root.
            self.add("path " + target, lambda target=target: self.raw("GET", self.args.mount + target), 400 if ".." in target or "%2e%2e" in target else 404)
        self.add("absolute-form target for another host", lambda: self.raw("GET", "http://evil.example" + path, hdr()), 401, "signature_invalid")
        self.add("Host header with a bad character", lambda: self.raw("GET", path, ["Host: evil.example/../x"], host=False), 400)
        self.add("HTTP/1.1 without Host", lambda: self.raw("GET", path, [], host=False), 400)

        # Forms: CSRF, Origin and sessions.
        self.add("authorize POST without a CSRF token", lambda: self.form_post("/authorize", {"oauth_token": "x", "decision": "allow"}, csrf=False), 403)
        self.add("authorize POST with a wrong CSRF token", lambda: self.form_post("/authorize", {"oauth_token": "x", "decision": "allow", "csrf_token": "0" * 43}, csrf=False), 403)
        self.add("authorize POST from a foreign Origin", lambda: self.form_post("/authorize", {"oauth_token": "x", "decision": "allow"}, origin="https://evil.example"), 403)
        self.add("logout POST without a CSRF token", lambda: self.form_post("/logout", {}, csrf=False), 403)
        self.add("developer registration without a CSRF token", lambda: self.form_post("/developer/new", {"name": "x", "callbacks": "oob"}, csrf=False), 403)
        self.add("login POST without a CSRF token", lambda: self.raw("POST", self.args.mount + "/login", ["Content-Type: " + FORM], b"username=alice&password=x"), 403)
        self.add("login POST with a forged form cookie", lambda: self.raw("POST", self.args.mount + "/login", ["Content-Type: " + FORM, "Cookie: oauth1_form=" + "A" * 32 + ".9999999999.forged"], b"csrf_token=" + b"A" * 32 + b"&username=alice&password=x"), 403)
        self.add("login POST with another visitor's form cookie", lambda: self.crossed_login_post(), 403)
        self.add("account revoke from a foreign Origin", lambda: self.form_post("/account/applications/revoke", {"handle": "x"}, origin="https://evil.example"), 403)
        self.add("forged session cookie on a form POST", lambda: self.raw("POST", self.args.mount + "/authorize", ["Content-Type: " + FORM, "Cookie: oauth1_session=forged.0123456789abcdef"], b"csrf_token=abc"), 403)
        self.add("session cookie with a tampered MAC", lambda: self.tampered_cookie_post(), 403)
        self.add("SQL in the developer client id", lambda: self.form_get("/developer/client?client_id=" + q("' OR 1=1 --")), 404)
        self.add("another developer's client", lambda: self.form_get("/developer/client?client_id=" + q(a.client_key)), 404)
        self.add("authorize page for an unknown token", lambda: self.form_get("/authorize?oauth_token=unknown-token"), 400)

        # The gate.
        self.add("gate without X-Original-URI", lambda: self.raw("GET", self.args.mount + "/auth", hdr()), 401, "parameter_absent")
        self.add("gate with a non-path X-Original-URI", lambda: self.raw("GET", self.args.mount + "/auth", hdr() + ["X-Original-URI: not a path"]), 401, "parameter_rejected")

    # -- cases that need state ---------------------------------------------

    def replayed_nonce(self):
        request = self.signed("GET", self.base + "/user", nonce="replay-" + self.fresh())
        first = self.send(request)
        if b" 200 " not in first.split(b"\r\n", 1)[0]:
            raise SystemExit("hostile_corpus.py: the signed request to replay was refused: %r" % first[:300])
        return request

    def signed_for_other_url(self):
        request = self.signed("GET", self.base + "/user?page=1")
        return request.replace(b"/user?page=1", b"/user?page=2", 1)

    def login_attempt(self, username, password):
        session = requests.Session()
        page = session.get(self.base + "/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        cookie = session.cookies.get("oauth1_form")
        body = urllib.parse.urlencode({"csrf_token": csrf, "username": username, "password": password}).encode()
        return self.raw("POST", self.args.mount + "/login", ["Content-Type: " + FORM, "Cookie: oauth1_form=" + cookie], body)

    def crossed_login_post(self):
        mine, theirs = requests.Session(), requests.Session()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', mine.get(self.base + "/login").text).group(1)
        theirs.get(self.base + "/login")
        body = urllib.parse.urlencode({"csrf_token": csrf, "username": "alice", "password": "x"}).encode()
        return self.raw("POST", self.args.mount + "/login", ["Content-Type: " + FORM, "Cookie: oauth1_form=" + theirs.cookies.get("oauth1_form")], body)

    def signed_in(self):
        if not hasattr(self, "_session"):
            session = requests.Session()
            page = session.get(self.base + "/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            answer = session.post(self.base + "/login", data={"csrf_token": csrf, "username": self.args.username,
                                                             "password": self.args.password, "next": self.args.mount + "/"},
                                  allow_redirects=False)
            if answer.status_code != 303:
                raise SystemExit("hostile_corpus.py: could not sign in: %d %s" % (answer.status_code, answer.text[:200]))
            home = session.get(self.base + "/")
            self._csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)
            self._session = session.cookies.get("oauth1_session")
        return self._session, self._csrf

    def form_post(self, route, fields, csrf=True, origin=None):
        cookie, token = self.signed_in()
        if csrf:
            fields = dict(fields, csrf_token=token)
        headers = ["Content-Type: " + FORM, "Cookie: oauth1_session=" + cookie]
        if origin:
            headers.append("Origin: " + origin)
        return self.raw("POST", self.args.mount + route, headers, urllib.parse.urlencode(fields).encode())

    def form_get(self, target):
        cookie, _ = self.signed_in()
        return self.raw("GET", self.args.mount + target, ["Cookie: oauth1_session=" + cookie])

    def tampered_cookie_post(self):
        cookie, token = self.signed_in()
        tampered = cookie[:-1] + ("A" if cookie[-1] != "A" else "B")
        return self.raw("POST", self.args.mount + "/authorize", ["Content-Type: " + FORM, "Cookie: oauth1_session=" + tampered],
                        ("csrf_token=" + token + "&oauth_token=x&decision=allow").encode())


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    corpus = Corpus(args)
    corpus.build()
    results = corpus.run(args.only)
    print(json.dumps({"cases": results}))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
