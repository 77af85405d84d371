#!/usr/bin/python3
"""Generate the OAuth 1.0a (RFC 5849) signature fixtures in this directory.

What it produces
----------------
* RSA/EC public key material, made with the ``openssl`` command line tool:
  rsa2048-{spki,pkcs1,cert}.pem, rsa1024-{spki,pkcs1,cert}.pem,
  rsa512-spki.pem (too small, must be refused) and ec-p256-spki.pem
  (not RSA, must be refused).  The private keys exist only inside a
  temporary directory while this script runs and are deleted afterwards;
  no private key is ever written into this directory.
* signature-vectors.json: signed requests produced by an implementation
  that is independent of the Swift provider, namely Debian's Python
  oauthlib (``python3-oauthlib``; written against oauthlib 3.2.2 with
  PyJWT 2.6.0 and cryptography 38.0.4, Python 3.11) and OpenSSL 3.0.19.
  The versions actually used are recorded at run time in the JSON
  ``produced_by`` field (oauthlib.__version__ and ``openssl version``).

How the vectors are produced
----------------------------
1. Each request is signed by ``oauthlib.oauth1.Client(...).sign(...)`` with a
   fixed timestamp and nonce.  The URL, headers and body that ``sign`` returns
   are stored verbatim; they are what the client puts on the wire.
2. The signature base string is recomputed from the request as sent, the
   way a server sees it, with oauthlib's signature module:
   collect_parameters(uri query, body if the Content-Type is
   application/x-www-form-urlencoded, Authorization header; without
   oauth_signature and realm) -> normalize_parameters -> base_string_uri ->
   signature_base_string.  It must equal the base string the client signed.
3. Self-checks (any failure aborts the script with a non-zero status):
   * oauthlib's server-side parser (BaseEndpoint._create_request) is run on the
     sent url/method/body/headers, producing an oauthlib.common.Request, and
     the matching verify function (verify_hmac_sha1/_sha256/_sha512,
     verify_plaintext, verify_rsa_sha1/_sha256) must accept it; a wrong
     secret / wrong key must be rejected;
   * RSA signatures are additionally verified by
     ``openssl dgst -sha1|-sha256 -verify <name>-spki.pem -signature <raw>``
     over the base string, and by oauthlib with the PKCS#1 form of the key;
   * HMAC signatures are recomputed with Python's hashlib/hmac over the
     stored base string;
   * for a few URLs the base string URI is compared with a value written
     out by hand from RFC 5849 section 3.4.1.2 (default ports dropped, host
     lowercased, IPv6 brackets kept), and for the encoding vectors the
     base string must contain fragments written out by hand.
   oauthlib 3.2.2 handles IPv6 hosts itself, so no vector is computed by
   hand.  oauthlib's Client refuses a Content-Type of
   "application/x-www-form-urlencoded; charset=UTF-8"; the two charset
   vectors are therefore signed with the plain Content-Type and the
   charset parameter is appended to the header afterwards (Content-Type is
   not covered by the signature), which their names say.

Rerunning
---------
From this directory:

    /usr/bin/python3 make-signature-vectors.py

(use Debian's /usr/bin/python3, which has python3-oauthlib, python3-jwt and
python3-cryptography; ``apt-get install python3-oauthlib python3-jwt
python3-cryptography openssl`` if missing).  Everything is built and
checked in a temporary directory first; only when every check has passed
are the files listed above copied here, overwriting the old ones (a failed
run leaves this directory untouched).  HMAC and PLAINTEXT vectors come
out the same on every run (only the date in produced_by moves); RSA keys
are freshly generated each time, so the key files and RSA signatures change.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

import oauthlib
from oauthlib.common import CaseInsensitiveDict
from oauthlib.oauth1 import (
    SIGNATURE_TYPE_AUTH_HEADER,
    SIGNATURE_TYPE_BODY,
    SIGNATURE_TYPE_QUERY,
    Client,
)
from oauthlib.oauth1.rfc5849 import signature as sigmod
from oauthlib.oauth1.rfc5849.endpoints.base import BaseEndpoint

HERE = os.path.dirname(os.path.abspath(__file__))
JSON_NAME = "signature-vectors.json"
# Output is first written to this staging directory (set in main) and only
# copied into HERE once every check has passed.
STAGE = None
FORM = "application/x-www-form-urlencoded"

# Credentials shared by most vectors.
CK = "dpf43f3p2l4k3l03"          # client key
CS = "kd94hf93k423kf44"          # client secret
TK = "nnch734d00sl2jdk"          # access token
TS = "pfkkdhi9sl3r4s00"          # access token secret
RTK = "hh5s93j4hdidpola"         # request (temporary) token
RTS = "hdhd0244k9j7ao03"         # request token secret
VERIFIER = "hfdp7dh39dks9884"
TIMESTAMP = "1700000000"

TYPES = {"header": SIGNATURE_TYPE_AUTH_HEADER,
         "query": SIGNATURE_TYPE_QUERY,
         "body": SIGNATURE_TYPE_BODY}


def fail(msg):
    sys.stderr.write("FAILED: " + msg + "\n")
    sys.exit(1)


def openssl(*args, stdin=None):
    proc = subprocess.run(["openssl", *args], input=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        fail("openssl %s: %s" % (" ".join(args),
                                 proc.stderr.decode(errors="replace")))
    return proc.stdout.decode()


def fixture(name):
    return os.path.join(STAGE, name)


# --------------------------------------------------------------------------
# Key material
# --------------------------------------------------------------------------

def make_keys(tmp):
    """Create key pairs in tmp; write public forms into STAGE.

    Returns {stem: private PEM text} for the RSA keys used for signing.
    """
    private = {}
    for serial, (stem, bits) in enumerate(
            (("rsa2048", 2048), ("rsa1024", 1024), ("rsa512", 512)), start=1):
        key = os.path.join(tmp, stem + "-private.pem")
        openssl("genpkey", "-algorithm", "RSA",
                "-pkeyopt", "rsa_keygen_bits:%d" % bits, "-out", key)
        openssl("pkey", "-in", key, "-pubout",
                "-out", fixture(stem + "-spki.pem"))
        mod_spki = openssl("rsa", "-pubin", "-in", fixture(stem + "-spki.pem"),
                           "-noout", "-modulus").strip()
        if len(mod_spki.split("=", 1)[1]) * 4 != bits:
            fail("%s modulus is not %d bits" % (stem, bits))
        if stem == "rsa512":
            continue  # only the SPKI form is wanted for the too-small key
        openssl("rsa", "-in", key, "-RSAPublicKey_out",
                "-out", fixture(stem + "-pkcs1.pem"))
        openssl("req", "-new", "-x509", "-key", key, "-sha256",
                "-days", "36500", "-set_serial", str(serial),
                "-subj", "/CN=oauth1-fcgi test key %s" % stem,
                "-out", fixture(stem + "-cert.pem"))
        # All three public forms must carry the same key.
        mod_pkcs1 = openssl("rsa", "-RSAPublicKey_in",
                            "-in", fixture(stem + "-pkcs1.pem"),
                            "-noout", "-modulus").strip()
        mod_cert = openssl("x509", "-in", fixture(stem + "-cert.pem"),
                           "-noout", "-modulus").strip()
        if not (mod_spki == mod_pkcs1 == mod_cert):
            fail("%s: public key forms disagree" % stem)
        cert_pub = openssl("x509", "-in", fixture(stem + "-cert.pem"),
                           "-noout", "-pubkey")
        with open(fixture(stem + "-spki.pem")) as f:
            if f.read() != cert_pub:
                fail("%s: certificate public key differs from SPKI" % stem)
        with open(key) as f:
            private[stem] = f.read()

    ec = os.path.join(tmp, "ec-p256-private.pem")
    openssl("genpkey", "-algorithm", "EC",
            "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec)
    openssl("pkey", "-in", ec, "-pubout", "-out", fixture("ec-p256-spki.pem"))

    # Header lines of every public file, and no private key anywhere here.
    expect = {"-spki.pem": "-----BEGIN PUBLIC KEY-----",
              "-pkcs1.pem": "-----BEGIN RSA PUBLIC KEY-----",
              "-cert.pem": "-----BEGIN CERTIFICATE-----"}
    for name in sorted(os.listdir(STAGE)):
        if not name.endswith(".pem"):
            continue
        with open(fixture(name)) as f:
            text = f.read()
        if "PRIVATE" in text:
            fail("private key material in " + name)
        for suffix, first in expect.items():
            if name.endswith(suffix) and not text.startswith(first):
                fail("%s does not start with %s" % (name, first))
    return private


# --------------------------------------------------------------------------
# Vector specifications
# --------------------------------------------------------------------------

SPECS = []


def vec(name, url, *, method="GET", sm="HMAC-SHA1", st="header",
        token=(TK, TS), client=(CK, CS), body=None, headers=None,
        rsa=None, realm=None, callback=None, verifier=None,
        charset_after=False, expect_bsu=None, expect_norm=()):
    """Register one vector.

    token: (key, secret) or None.  body: str, list of pairs or None.
    charset_after: append '; charset=UTF-8' to Content-Type after signing.
    expect_bsu: hand-written base string URI to compare against.
    expect_norm: substrings the signature base string must contain (so
    written with the base string's second level of percent-encoding).
    """
    SPECS.append(dict(name=name, url=url, method=method, sm=sm, st=st,
                      token=token, client=client, body=body,
                      headers=headers or {}, rsa=rsa, realm=realm,
                      callback=callback, verifier=verifier,
                      charset_after=charset_after, expect_bsu=expect_bsu,
                      expect_norm=tuple(expect_norm)))


FORM_H = {"Content-Type": FORM}
PHOTOS = "https://photos.example.net/photos?file=vacation.jpg&size=original"

# --- every signature method, Authorization header, with a token -----------
vec("HMAC-SHA1 header with token", PHOTOS)
vec("HMAC-SHA256 header with token", PHOTOS, sm="HMAC-SHA256")
vec("HMAC-SHA512 header with token", PHOTOS, sm="HMAC-SHA512")
vec("PLAINTEXT header with token", PHOTOS, sm="PLAINTEXT")
vec("RSA-SHA1 header with token (rsa2048)", PHOTOS, sm="RSA-SHA1",
    rsa="rsa2048")
vec("RSA-SHA256 header with token (rsa2048)", PHOTOS, sm="RSA-SHA256",
    rsa="rsa2048")

# --- query signature type -----------------------------------------------
vec("HMAC-SHA1 query with token", PHOTOS, st="query")
vec("HMAC-SHA256 query with token",
    "http://api.example.com/v1/items?limit=10&offset=20", st="query",
    sm="HMAC-SHA256")
vec("RSA-SHA1 query with token (rsa1024)",
    "https://api.example.com/v1/me", st="query", sm="RSA-SHA1",
    rsa="rsa1024")
vec("PLAINTEXT query with token",
    "https://api.example.com/v1/me?fields=name", st="query", sm="PLAINTEXT")
vec("HMAC-SHA1 query, existing query with + and %7E is re-encoded by client",
    "http://api.example.com/search?q=a+b&tilde=%7Euser&plus=1%2B1", st="query",
    expect_norm=("plus%3D1%252B1", "q%3Da%2520b", "tilde%3D~user"))

# --- form body signature type -------------------------------------------
vec("HMAC-SHA1 form body with token",
    "http://api.example.com/v1/status", method="POST", st="body",
    body="status=Hello%20world&lang=en", headers=FORM_H,
    expect_norm=("status%3DHello%2520world",))
vec("HMAC-SHA512 form body with token",
    "https://api.example.com/v1/status", method="POST", st="body",
    sm="HMAC-SHA512", body="status=ok", headers=FORM_H)
vec("RSA-SHA256 form body with token (rsa2048)",
    "https://api.example.com/v1/status", method="POST", st="body",
    sm="RSA-SHA256", rsa="rsa2048", body="status=signed&n=1", headers=FORM_H)
vec("PLAINTEXT form body, initiate without token, callback URL",
    "https://photos.example.net/initiate", method="POST", st="body",
    sm="PLAINTEXT", token=None, body="scope=photos", headers=FORM_H,
    callback="https://printer.example.com/ready?job=1")
vec("HMAC-SHA1 form body, UTF-8 values given to client as pairs",
    "http://api.example.com/v1/places", method="POST", st="body",
    body=[("name", "café"), ("city", "日本")], headers=FORM_H,
    expect_norm=("city%3D%25E6%2597%25A5%25E6%259C%25AC", "name%3Dcaf%25C3%25A9"))
vec("HMAC-SHA1 form body, Content-Type charset=UTF-8 appended after signing "
    "(oauthlib Client refuses charset)",
    "http://api.example.com/v1/status", method="POST", st="body",
    body="status=charset%20test", headers=FORM_H, charset_after=True)
vec("HMAC-SHA1 header + form body, Content-Type charset=UTF-8 appended after "
    "signing (oauthlib Client refuses charset)",
    "http://api.example.com/v1/status", method="POST",
    body="status=charset%20header", headers=FORM_H, charset_after=True,
    expect_norm=("status%3Dcharset%2520header",))
vec("HMAC-SHA1 header + form body with raw encodings (+, %2B, ~, %7E)",
    "http://api.example.com/v1/post", method="POST",
    body="a=x+y&b=1%2B2&c=~z&d=%7Ez", headers=FORM_H,
    expect_norm=("a%3Dx%2520y", "b%3D1%252B2", "c%3D~z", "d%3D~z"))

# --- temporary credentials (initiate) and token step ----------------------
vec("HMAC-SHA1 initiate without token, callback URL, realm",
    "https://photos.example.net/initiate", method="POST", token=None,
    realm="Photos", callback="http://printer.example.com/ready",
    expect_norm=("oauth_callback%3Dhttp%253A%252F%252Fprinter.example.com"
                 "%252Fready",))
vec("HMAC-SHA1 initiate without token, oob callback",
    "https://photos.example.net/initiate", method="POST", token=None,
    callback="oob")
vec("RSA-SHA1 initiate without token, oob callback (rsa1024)",
    "https://photos.example.net/initiate", method="POST", token=None,
    sm="RSA-SHA1", rsa="rsa1024", callback="oob")
vec("HMAC-SHA256 initiate without token, oob callback, query type",
    "https://photos.example.net/initiate", token=None, st="query",
    sm="HMAC-SHA256", callback="oob")
vec("HMAC-SHA1 token step with verifier",
    "https://photos.example.net/token", method="POST", token=(RTK, RTS),
    verifier=VERIFIER)
vec("PLAINTEXT token step with verifier",
    "https://photos.example.net/token", method="POST", token=(RTK, RTS),
    sm="PLAINTEXT", verifier=VERIFIER)
vec("RSA-SHA256 token step with verifier (rsa2048)",
    "https://photos.example.net/token", method="POST", token=(RTK, RTS),
    sm="RSA-SHA256", rsa="rsa2048", verifier=VERIFIER)

# --- parameter encoding ---------------------------------------------------
vec("HMAC-SHA1 query value with %20 spaces",
    "http://api.example.com/search?q=hello%20big%20world",
    expect_norm=("q%3Dhello%2520big%2520world",))
vec("HMAC-SHA1 query literal + means space",
    "http://api.example.com/search?q=hello+world&x=a+b+c",
    expect_norm=("q%3Dhello%2520world", "x%3Da%2520b%2520c"))
vec("HMAC-SHA1 query %2B means plus",
    "http://api.example.com/calc?expr=1%2B1%3D2",
    expect_norm=("expr%3D1%252B1%253D2",))
vec("HMAC-SHA1 query ~ and %7E both become ~",
    "http://api.example.com/users?a=~alice&b=%7Ebob",
    expect_norm=("a%3D~alice", "b%3D~bob"))
vec("HMAC-SHA1 query UTF-8 (café, 日本, lowercase hex)",
    "http://api.example.com/places?name=caf%C3%A9&city=%E6%97%A5%E6%9C%AC"
    "&lower=caf%c3%a9",
    expect_norm=("name%3Dcaf%25C3%25A9", "lower%3Dcaf%25C3%25A9",
                 "city%3D%25E6%2597%25A5%25E6%259C%25AC"))
vec("HMAC-SHA1 query repeated keys a=1&a=2&a=1",
    "http://api.example.com/list?a=1&a=2&a=1",
    expect_norm=("a%3D1%26a%3D1%26a%3D2",))
vec("HMAC-SHA1 repeated keys across query and body, byte-order values",
    "http://api.example.com/list?a=9&b=x", method="POST",
    body="a=10&a=1&b=x", headers=FORM_H,
    expect_norm=("a%3D1%26a%3D10%26a%3D9%26b%3Dx%26b%3Dx",))
vec("HMAC-SHA1 query empty values a= and bare b",
    "http://api.example.com/flags?a=&b&c=3",
    expect_norm=("a%3D%26b%3D%26c%3D3",))
vec("HMAC-SHA1 header + form body empty values a= and bare b",
    "http://api.example.com/flags", method="POST", body="a=&b", headers=FORM_H,
    expect_norm=("a%3D%26b%3D%26oauth",))
vec("HMAC-SHA1 query reserved characters raw and encoded",
    "http://api.example.com/r?s=!*'()&t=%21%2A%27%28%29"
    "&u=%3A%2F%3F%23%5B%5D%40&eq=a=b",
    expect_norm=("eq%3Da%253Db", "s%3D%2521%252A%2527%2528%2529",
                 "t%3D%2521%252A%2527%2528%2529",
                 "u%3D%253A%252F%253F%2523%255B%255D%2540"))
vec("HMAC-SHA1 parameter names sorted by encoded bytes",
    "http://api.example.com/sort?z=1&a10=2&a2=3&A=4&a_b=5&a-b=6&a.b=7"
    "&a~b=8&%C3%A9=9&a=10",
    expect_norm=("%25C3%25A9%3D9%26A%3D4%26a%3D10%26a-b%3D6%26a.b%3D7"
                 "%26a10%3D2%26a2%3D3%26a_b%3D5%26a~b%3D8%26oauth_",))

# --- base string URI ------------------------------------------------------
vec("HMAC-SHA1 path with %20 and other percent-encoded bytes",
    "http://api.example.com/photos/my%20album/caf%C3%A9%2Bx.jpg?size=big",
    expect_bsu="http://api.example.com/photos/my%20album/caf%C3%A9%2Bx.jpg")
vec("HMAC-SHA1 http non-default port 8080",
    "http://api.example.com:8080/v1/me",
    expect_bsu="http://api.example.com:8080/v1/me")
vec("HMAC-SHA256 https non-default port 8443",
    "https://api.example.com:8443/v1/me", sm="HMAC-SHA256",
    expect_bsu="https://api.example.com:8443/v1/me")
vec("HMAC-SHA1 http explicit default port 80 is dropped",
    "http://example.com:80/", token=None,
    expect_bsu="http://example.com/")
vec("HMAC-SHA1 https explicit default port 443 is dropped",
    "https://example.com:443/resource?x=1",
    expect_bsu="https://example.com/resource")
vec("HMAC-SHA1 uppercase host is lowercased",
    "http://API.Example.COM/Path/Keeps/Case?Q=V",
    expect_bsu="http://api.example.com/Path/Keeps/Case",
    expect_norm=("Q%3DV",))
vec("HMAC-SHA1 IPv6 host with port (oauthlib handles IPv6, not hand-computed)",
    "http://[::1]:8080/x?y=1",
    expect_bsu="http://[::1]:8080/x")
vec("HMAC-SHA1 IPv6 uppercase host, default port dropped",
    "http://[2001:DB8::1]:80/x",
    expect_bsu="http://[2001:db8::1]/x")
vec("HMAC-SHA1 IPv4 host with port", "http://127.0.0.1:8080/x",
    expect_bsu="http://127.0.0.1:8080/x")

# --- other ----------------------------------------------------------------
vec("HMAC-SHA1 header with realm and token",
    "http://photos.example.net/photos?file=vacation.jpg", realm="Photos")
vec("HMAC-SHA1 secrets and token with characters needing encoding",
    "http://api.example.com/v1/me", client=("key with space", "cs&%+ é"),
    token=("tok/en+=", "ts=/~"))
vec("PLAINTEXT secrets with characters needing encoding",
    "https://api.example.com/v1/me", sm="PLAINTEXT",
    client=("key with space", "cs&%+ é"), token=("tok/en+=", "ts=/~"))
vec("HMAC-SHA1 DELETE with token", "http://api.example.com/v1/items/42",
    method="DELETE")
vec("HMAC-SHA1 PUT JSON body (not form, so not signed; client adds "
    "oauth_body_hash)",
    "http://api.example.com/v1/items/42", method="PUT",
    body='{"name": "x", "n": 1}', headers={"Content-Type": "application/json"},
    expect_norm=("oauth_body_hash%3D",))


# --------------------------------------------------------------------------
# Generation and checks
# --------------------------------------------------------------------------

class RecordingClient(Client):
    """oauthlib Client that remembers the base string it signs."""
    SIGNATURE_METHODS = {}
    last_base_string = None


def _recorder(fn):
    def wrapped(base_string, client):
        RecordingClient.last_base_string = base_string
        return fn(base_string, client)
    return wrapped


RecordingClient.SIGNATURE_METHODS = {
    k: _recorder(v) for k, v in Client.SIGNATURE_METHODS.items()}

VERIFY = {
    "HMAC-SHA1": sigmod.verify_hmac_sha1,
    "HMAC-SHA256": sigmod.verify_hmac_sha256,
    "HMAC-SHA512": sigmod.verify_hmac_sha512,
    "PLAINTEXT": sigmod.verify_plaintext,
    "RSA-SHA1": sigmod.verify_rsa_sha1,
    "RSA-SHA256": sigmod.verify_rsa_sha256,
}
DGST = {"RSA-SHA1": "-sha1", "RSA-SHA256": "-sha256"}
HASHES = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256,
          "HMAC-SHA512": hashlib.sha512}


def header_value(headers, name):
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return None


def server_base_string(url, method, body, headers):
    """Base string as a server computes it from the request as sent."""
    ctype = header_value(headers, "Content-Type")
    is_form = (ctype is not None and
               ctype.split(";", 1)[0].strip().lower() == FORM)
    auth = header_value(headers, "Authorization")
    params = sigmod.collect_parameters(
        uri_query=urllib.parse.urlsplit(url).query,
        body=body if is_form else None,
        headers={"Authorization": auth} if auth is not None else None,
        exclude_oauth_signature=True, with_realm=False)
    normalized = sigmod.normalize_parameters(params)
    bsu = sigmod.base_string_uri(url)
    return (sigmod.signature_base_string(method, bsu, normalized),
            bsu, normalized)


def make_vector(spec, private, tmp):
    name = spec["name"]
    rsa = spec["rsa"]
    sm = spec["sm"]
    ck, cs = spec["client"]
    tk, ts = spec["token"] if spec["token"] else ("", "")
    if rsa:
        cs = ts = ""  # RSA methods use neither secret
    client = RecordingClient(
        ck, client_secret=cs or None,
        resource_owner_key=tk or None, resource_owner_secret=ts or None,
        callback_uri=spec["callback"], verifier=spec["verifier"],
        signature_method=sm, signature_type=TYPES[spec["st"]],
        rsa_key=private[rsa] if rsa else None, realm=spec["realm"],
        timestamp=TIMESTAMP, nonce="n%03dQ7xKp2Lm" % spec["index"])
    RecordingClient.last_base_string = None
    url, headers, body = client.sign(
        spec["url"], http_method=spec["method"], body=spec["body"],
        headers=dict(spec["headers"]))
    client_bs = RecordingClient.last_base_string
    headers = [[k, v] for k, v in headers.items()]
    body = body or ""
    if spec["charset_after"]:
        for h in headers:
            if h[0].lower() == "content-type":
                h[1] = FORM + "; charset=UTF-8"

    base_string, bsu, normalized = server_base_string(
        url, spec["method"], body, headers)
    try:
        base_string.encode("ascii")
    except UnicodeError:
        fail(name + ": base string is not ASCII")
    if sm != "PLAINTEXT" and base_string != client_bs:
        fail("%s: server base string differs from client's\n %s\n %s"
             % (name, base_string, client_bs))
    if spec["expect_bsu"] is not None and bsu != spec["expect_bsu"]:
        fail("%s: base string URI %r, expected %r"
             % (name, bsu, spec["expect_bsu"]))
    for frag in spec["expect_norm"]:
        if frag not in base_string:
            fail("%s: %r not in base string %s" % (name, frag, base_string))

    # oauthlib's own server-side request parsing, then its verify function.
    req = BaseEndpoint(None)._create_request(
        url, spec["method"], body, CaseInsensitiveDict(dict(headers)))
    srv_bs = sigmod.signature_base_string(
        req.http_method, sigmod.base_string_uri(req.uri),
        sigmod.normalize_parameters(req.params))
    if srv_bs != base_string:
        fail("%s: oauthlib endpoint base string differs\n %s\n %s"
             % (name, srv_bs, base_string))
    if req.signature_method != sm:
        fail(name + ": wrong oauth_signature_method on the wire")
    signature = req.signature
    verify = VERIFY[sm]
    if rsa:
        for form in ("spki", "pkcs1"):
            with open(fixture("%s-%s.pem" % (rsa, form))) as f:
                if not verify(req, f.read()):
                    fail("%s: oauthlib %s rejects it (%s)" % (name, sm, form))
        other = "rsa1024" if rsa == "rsa2048" else "rsa2048"
        with open(fixture(other + "-spki.pem")) as f:
            if verify(req, f.read()):
                fail(name + ": verifies with the wrong RSA key")
        raw = os.path.join(tmp, "sig.bin")
        msg = os.path.join(tmp, "base.txt")
        with open(raw, "wb") as f:
            f.write(base64.b64decode(signature, validate=True))
        with open(msg, "wb") as f:
            f.write(base_string.encode("ascii"))
        out = openssl("dgst", DGST[sm], "-verify", fixture(rsa + "-spki.pem"),
                      "-signature", raw, msg)
        if out.strip() != "Verified OK":
            fail("%s: openssl says %r" % (name, out))
    else:
        if not verify(req, client_secret=cs, resource_owner_secret=ts):
            fail("%s: oauthlib %s rejects it" % (name, sm))
        if verify(req, client_secret=cs, resource_owner_secret=ts + "x"):
            fail(name + ": verifies with a wrong token secret")
        if sm == "PLAINTEXT":
            if signature != sigmod.sign_plaintext(cs, ts):
                fail(name + ": PLAINTEXT value mismatch")
        else:
            # Recompute the HMAC with the standard library alone.
            key = "%s&%s" % (urllib.parse.quote(cs, safe="~"),
                             urllib.parse.quote(ts, safe="~"))
            digest = hmac.new(key.encode("utf-8"),
                              base_string.encode("ascii"),
                              HASHES[sm]).digest()
            if base64.b64encode(digest).decode("ascii") != signature:
                fail(name + ": hashlib/hmac recomputation differs")

    return {
        "name": name,
        "method": spec["method"],
        "url": url,
        "headers": headers,
        "body": body,
        "client_key": ck,
        "client_secret": cs,
        "token": tk,
        "token_secret": ts,
        "signature_method": sm,
        "rsa_key": rsa,
        "base_string": base_string,
        "signature": signature,
    }


def main():
    global STAGE
    documented = "3.2.2"
    if oauthlib.__version__ != documented:
        sys.stderr.write("note: oauthlib %s, docstring says %s\n"
                         % (oauthlib.__version__, documented))
    ossl = openssl("version").strip()
    with tempfile.TemporaryDirectory(prefix="oauth1-fixtures-") as tmp:
        STAGE = os.path.join(tmp, "public")
        scratch = os.path.join(tmp, "private")
        os.mkdir(STAGE)
        os.mkdir(scratch)
        private = make_keys(scratch)
        vectors = []
        for index, spec in enumerate(SPECS, start=1):
            spec["index"] = index
            vectors.append(make_vector(spec, private, scratch))
        write_json(vectors, ossl)
        # Every check passed: publish the public files and the JSON.
        published = sorted(os.listdir(STAGE))
        for name in published:
            shutil.copyfile(os.path.join(STAGE, name),
                            os.path.join(HERE, name))
    # tmp (private keys, scratch signature files, staging) is gone here.
    for name in os.listdir(HERE):
        if name.endswith(".pem"):
            with open(os.path.join(HERE, name)) as f:
                if "PRIVATE" in f.read():
                    fail("private key material in " + name)
    print("%d vectors; wrote %s into %s; all verified"
          % (len(vectors), ", ".join(published), HERE))


def write_json(vectors, ossl):
    names = [v["name"] for v in vectors]
    if len(set(names)) != len(names):
        fail("vector names are not unique")

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    produced_by = (
        "Generated on %s by make-signature-vectors.py with Python oauthlib %s "
        "(Debian python3-oauthlib, Python %s) signing every request through "
        "oauthlib.oauth1.Client and %s making the RSA keys; each vector was "
        "verified with oauthlib's server-side verify functions and each RSA "
        "signature also with openssl dgst. No vector was computed by hand "
        "(oauthlib handles the IPv6 hosts); in the two charset vectors the "
        "'; charset=UTF-8' was appended to Content-Type after signing, "
        "because oauthlib's Client refuses it."
        % (date, oauthlib.__version__, platform.python_version(), ossl))
    out = fixture(JSON_NAME)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"produced_by": produced_by, "vectors": vectors}, f,
                  ensure_ascii=False, indent=2)
        f.write("\n")

    # Re-read and re-verify the file as written.
    with open(out, encoding="utf-8") as f:
        data = json.load(f)
    keys = ["name", "method", "url", "headers", "body", "client_key",
            "client_secret", "token", "token_secret", "signature_method",
            "rsa_key", "base_string", "signature"]
    for v in data["vectors"]:
        if list(v) != keys:
            fail("bad keys in " + v["name"])


if __name__ == "__main__":
    main()
