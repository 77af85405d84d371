#!/usr/bin/python3
"""End-to-end OAuth 1.0a (RFC 5849) three-legged flow against oauth1-fcgi.

Steps:
  1. POST BASE/initiate     (requests_oauthlib.OAuth1Session.fetch_request_token)
  2. browser part           (plain requests.Session with cookies):
       GET BASE/authorize -> 303 BASE/login?next=... -> login form -> POST
       -> 303 back to authorize -> consent form -> POST approve/deny
       -> verifier from the callback redirect or from the oob page
  3. POST BASE/token        (OAuth1Session.fetch_access_token)
  4. GET  BASE/user         (signed with the token credentials)

On success one JSON line goes to stdout and the exit status is 0.
On failure a message (with HTTP status and body of the failing response)
goes to stderr and the exit status is 1.
"""

import argparse
import html.parser
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
)
from requests_oauthlib import OAuth1Session
from requests_oauthlib.oauth1_session import TokenRequestDenied

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
REDIRECT_CODES = (301, 302, 303, 307, 308)
BODY_LIMIT = 4000
VERBOSE = False


class FlowError(Exception):
    """A step of the flow failed; carries the offending response if any."""

    def __init__(self, step, message, response=None):
        super().__init__(message)
        self.step = step
        self.message = message
        self.response = response

    def render(self):
        lines = ["three_legged.py: FAILED at step '%s': %s" % (self.step, self.message)]
        if self.response is not None:
            lines.append(describe_response(self.response))
        return "\n".join(lines)


def describe_response(resp):
    req = resp.request
    body = resp.text
    if len(body) > BODY_LIMIT:
        body = body[:BODY_LIMIT] + "...[truncated]"
    interesting = ["Location", "Content-Type", "WWW-Authenticate", "Set-Cookie"]
    hdrs = ["  %s: %s" % (h, resp.headers[h]) for h in interesting if h in resp.headers]
    return "\n".join(
        ["  request: %s %s" % (req.method if req is not None else "?", req.url if req is not None else "?"),
         "  HTTP status: %d %s" % (resp.status_code, resp.reason)]
        + hdrs
        + ["  body: %s" % body]
    )


def trace(msg):
    if VERBOSE:
        print("[three_legged] " + msg, file=sys.stderr)


# ---------------------------------------------------------------------------
# HTML parsing (forms and elements by id) with the standard library only.
# ---------------------------------------------------------------------------

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
             "meta", "param", "source", "track", "wbr"}


class PageParser(html.parser.HTMLParser):
    """Collects <form>s (inputs, textareas, submit buttons) and the text of
    every element that carries an id attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.texts_by_id = {}
        self._form = None
        self._captures = []  # [id, tag, [chunks]]
        self._textarea = None

    @staticmethod
    def _attrs(attrs):
        out = {}
        for k, v in attrs:
            k = k.lower()
            if k not in out:  # first occurrence wins, like browsers
                out[k] = "" if v is None else v
        return out

    def handle_starttag(self, tag, attrs):
        a = self._attrs(attrs)
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action"),
                "fields": [],
                "submits": [],
            }
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None:
            typ = (a.get("type") or "text").lower()
            name = a.get("name")
            if typ in ("submit", "image"):
                self._form["submits"].append({"name": name, "value": a.get("value", "")})
            elif typ in ("button", "reset", "file"):
                pass
            else:
                default = "on" if typ in ("checkbox", "radio") else ""
                self._form["fields"].append({
                    "name": name,
                    "value": a.get("value", default),
                    "type": typ,
                    "checked": "checked" in a,
                    "disabled": "disabled" in a,
                })
        elif tag == "button" and self._form is not None:
            typ = (a.get("type") or "submit").lower()
            if typ == "submit":
                self._form["submits"].append({"name": a.get("name"), "value": a.get("value", "")})
        elif tag == "textarea" and self._form is not None:
            self._textarea = {"name": a.get("name"), "value": "", "type": "textarea",
                              "checked": False, "disabled": "disabled" in a}
            self._form["fields"].append(self._textarea)
        if "id" in a and tag not in VOID_TAGS:
            self._captures.append([a["id"], tag, []])

    def handle_startendtag(self, tag, attrs):
        # <input ... /> style: treat as a start tag without content.
        a = self._attrs(attrs)
        if "id" in a and tag not in VOID_TAGS:
            self.texts_by_id.setdefault(a["id"], "")
            a.pop("id")
            attrs = list(a.items())
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        for i in range(len(self._captures) - 1, -1, -1):
            if self._captures[i][1] == tag:
                ident, _, chunks = self._captures.pop(i)
                self.texts_by_id.setdefault(ident, "".join(chunks))
                break

    def handle_data(self, data):
        for cap in self._captures:
            cap[2].append(data)
        if self._textarea is not None:
            self._textarea["value"] += data


def parse_page(text):
    p = PageParser()
    p.feed(text)
    p.close()
    return p


def field_names(form):
    return {f["name"] for f in form["fields"] if f["name"]}


def find_form(page, required_fields=(), submit_value=None):
    for form in page.forms:
        if not set(required_fields) <= field_names(form):
            continue
        if submit_value is not None and not any(s["value"] == submit_value for s in form["submits"]):
            continue
        return form
    return None


def form_field_value(form, name):
    for f in form["fields"]:
        if f["name"] == name:
            return f["value"]
    return None


def form_payload(form, overrides=None, submit=None):
    """Return the list of (name, value) pairs a browser would submit."""
    overrides = dict(overrides or {})
    pairs = []
    for f in form["fields"]:
        name = f["name"]
        if not name or f["disabled"]:
            continue
        if f["type"] in ("checkbox", "radio") and not f["checked"]:
            continue
        if name in overrides:
            pairs.append((name, overrides.pop(name)))
        else:
            pairs.append((name, f["value"]))
    pairs.extend(overrides.items())
    if submit is not None and submit.get("name"):
        pairs.append((submit["name"], submit["value"]))
    return pairs


def form_target(form, page_url):
    action = form["action"]
    if action is None or action.strip() == "":
        return page_url
    return urllib.parse.urljoin(page_url, action.strip())


# ---------------------------------------------------------------------------
# Browser helpers
# ---------------------------------------------------------------------------

def origin(url):
    u = urllib.parse.urlsplit(url)
    port = u.port or (443 if u.scheme == "https" else 80)
    return (u.scheme.lower(), (u.hostname or "").lower(), port)


def is_callback(target, callback):
    if callback == "oob":
        return False
    t = urllib.parse.urlsplit(target)
    c = urllib.parse.urlsplit(callback)
    return origin(target) == origin(callback) and (t.path or "/") == (c.path or "/")


def browse(sess, step, method, url, base, callback, data=None, timeout=15.0, max_hops=10):
    """Make a browser request, following redirects on the provider's origin by
    hand. Stops (without following) at a redirect to the client's callback.
    Returns (final_response, final_url, callback_target_or_None)."""
    for _ in range(max_hops):
        trace("%s %s%s" % (method, url, (" data=%r" % (data,)) if data else ""))
        try:
            resp = sess.request(method, url, data=data, allow_redirects=False, timeout=timeout)
        except requests.RequestException as e:
            raise FlowError(step, "HTTP request %s %s failed: %s" % (method, url, e))
        trace("  -> %d %s" % (resp.status_code, resp.headers.get("Location", "")))
        if resp.status_code not in REDIRECT_CODES:
            return resp, url, None
        loc = resp.headers.get("Location")
        if not loc:
            raise FlowError(step, "redirect without a Location header", resp)
        target = urllib.parse.urljoin(url, loc)
        if is_callback(target, callback):
            return resp, url, target
        if origin(target) != origin(base):
            raise FlowError(step, "unexpected redirect off the provider to %s" % target, resp)
        if resp.status_code not in (307, 308):
            method, data = "GET", None
        url = target
    raise FlowError(step, "too many redirects (last URL %s)" % url)


# ---------------------------------------------------------------------------
# The flow
# ---------------------------------------------------------------------------

class LastResponse:
    """Response hook remembering the last response an OAuth1Session saw."""

    def __init__(self):
        self.resp = None

    def __call__(self, resp, *args, **kwargs):
        self.resp = resp
        trace("%s %s -> %d" % (resp.request.method, resp.request.url, resp.status_code))
        return resp


def make_oauth_session(args, rsa_key, signature_type, hook, **kw):
    s = OAuth1Session(
        args.client_key,
        client_secret=args.client_secret,
        signature_method=SIGNATURE_METHODS[args.signature_method],
        signature_type=signature_type,
        rsa_key=rsa_key,
        **kw
    )
    s.hooks["response"].append(hook)
    return s


def remote_user_sign_in(browser, args, authorize_url, base):
    """--basic-auth: the web server authenticates the browser (HTTP Basic) and sets REMOTE_USER; the provider starts
    the session itself and reloads the consent page, so its own sign-in form never appears. Returns the consent URL."""
    browser.auth = (args.username, args.password)
    try:
        resp = browser.get(authorize_url, allow_redirects=False, timeout=args.timeout)
    except requests.RequestException as e:
        raise FlowError("authorize", "HTTP request failed: %s" % e)
    if resp.status_code not in REDIRECT_CODES or not resp.headers.get("Location"):
        raise FlowError("authorize", "expected the provider to start a REMOTE_USER session and reload the page", resp)
    target = urllib.parse.urljoin(authorize_url, resp.headers["Location"])
    if target != authorize_url:
        raise FlowError("authorize", "REMOTE_USER sign-in redirected to %s, not back to %s (no REMOTE_USER reached "
                        "the provider?)" % (target, authorize_url), resp)
    if "Set-Cookie" not in resp.headers:
        raise FlowError("authorize", "REMOTE_USER sign-in set no session cookie", resp)
    return target


def run(args):
    base = args.base.rstrip("/")
    rsa_key = None
    if args.signature_method.startswith("RSA-"):
        if not args.rsa_private_key:
            raise FlowError("setup", "--rsa-private-key is required for %s" % args.signature_method)
        with open(args.rsa_private_key) as fh:
            rsa_key = fh.read()
    sig_type = SIGNATURE_TYPES[args.signature_type]

    # -- 1. temporary credentials ------------------------------------------------
    hook = LastResponse()
    oauth = make_oauth_session(args, rsa_key, sig_type, hook, callback_uri=args.callback)
    kwargs = {"timeout": args.timeout}
    if args.scope is not None:
        kwargs["data"] = {"scope": args.scope}
    try:
        temp = oauth.fetch_request_token(base + "/initiate", **kwargs)
    except TokenRequestDenied as e:
        raise FlowError("initiate", "temporary credential request refused", e.response)
    except requests.RequestException as e:
        raise FlowError("initiate", "HTTP request failed: %s" % e)
    except ValueError as e:
        raise FlowError("initiate", "unparseable response (%s)" % e, hook.resp)
    for name in ("oauth_token", "oauth_token_secret"):
        if not temp.get(name):
            raise FlowError("initiate", "response lacks %s" % name, hook.resp)
    if temp.get("oauth_callback_confirmed") != "true":
        raise FlowError("initiate", "response lacks oauth_callback_confirmed=true", hook.resp)
    temp_token = temp["oauth_token"]
    trace("temporary token %s" % temp_token)

    # -- 2. browser: authorize, login, consent -----------------------------------
    browser = requests.Session()
    browser.headers["User-Agent"] = "oauth1-fcgi-e2e-browser (python-requests)"
    authorize_url = base + "/authorize?" + urllib.parse.urlencode({"oauth_token": temp_token})

    if args.basic_auth:
        consent_url = remote_user_sign_in(browser, args, authorize_url, base)
    else:
        trace("GET %s" % authorize_url)
        try:
            resp = browser.get(authorize_url, allow_redirects=False, timeout=args.timeout)
        except requests.RequestException as e:
            raise FlowError("authorize", "HTTP request failed: %s" % e)
        if resp.status_code not in REDIRECT_CODES or not resp.headers.get("Location"):
            raise FlowError("authorize", "expected a redirect to the login page (no session yet)", resp)
        login_url = urllib.parse.urljoin(authorize_url, resp.headers["Location"])
        lu = urllib.parse.urlsplit(login_url)
        if origin(login_url) != origin(base) or lu.path != urllib.parse.urlsplit(base).path + "/login":
            raise FlowError("authorize", "redirect does not point to BASE/login: %s" % login_url, resp)
        next_vals = urllib.parse.parse_qs(lu.query).get("next")
        au = urllib.parse.urlsplit(authorize_url)
        expected_next = au.path + "?" + au.query
        if not next_vals or next_vals[0] != expected_next:
            raise FlowError("authorize", "login redirect next=%r, expected %r" % (next_vals, expected_next), resp)

        resp, page_url, _ = browse(browser, "login page", "GET", login_url, base, args.callback, timeout=args.timeout)
        if resp.status_code != 200:
            raise FlowError("login page", "expected 200 with the login form", resp)
        page = parse_page(resp.text)
        form = find_form(page, ("username", "password"))
        if form is None:
            raise FlowError("login page", "no form with username and password inputs", resp)
        for hidden in ("csrf_token", "next"):
            if hidden not in field_names(form):
                raise FlowError("login page", "login form lacks the %s input" % hidden, resp)
        if form["method"] != "post":
            raise FlowError("login page", "login form method is %r, expected post" % form["method"], resp)
        submits = form["submits"]
        payload = form_payload(form, {"username": args.username, "password": args.password},
                               submits[0] if submits else None)
        target = form_target(form, page_url)
        trace("POST login to %s" % target)
        try:
            resp = browser.post(target, data=payload, allow_redirects=False, timeout=args.timeout)
        except requests.RequestException as e:
            raise FlowError("login", "HTTP request failed: %s" % e)
        if resp.status_code not in REDIRECT_CODES:
            raise FlowError("login", "login was not accepted (expected 303 to next)", resp)
        consent_url = urllib.parse.urljoin(target, resp.headers.get("Location", ""))
        if origin(consent_url) != origin(base):
            raise FlowError("login", "login redirected off the provider: %s" % consent_url, resp)

    resp, page_url, _ = browse(browser, "consent page", "GET", consent_url, base, args.callback,
                               timeout=args.timeout)
    if resp.status_code != 200:
        raise FlowError("consent page", "expected 200 with the consent form", resp)
    decision = "deny" if args.expect_deny else "approve"
    page = parse_page(resp.text)
    form = find_form(page, ("oauth_token", "csrf_token"), submit_value=decision)
    if form is None:
        raise FlowError("consent page", "no form with oauth_token, csrf_token and a %s button" % decision, resp)
    if form["method"] != "post":
        raise FlowError("consent page", "consent form method is %r, expected post" % form["method"], resp)
    if form_field_value(form, "oauth_token") != temp_token:
        raise FlowError("consent page", "consent form carries oauth_token=%r, expected %r"
                        % (form_field_value(form, "oauth_token"), temp_token), resp)
    button = next(s for s in form["submits"] if s["value"] == decision)
    payload = form_payload(form, submit=button)
    target = form_target(form, page_url)
    resp, page_url, cb_target = browse(browser, "consent", "POST", target, base, args.callback,
                                       data=payload, timeout=args.timeout)

    verifier = None
    if args.callback != "oob":
        if cb_target is None:
            raise FlowError("consent", "expected a redirect to the callback %s" % args.callback, resp)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(cb_target).query, keep_blank_values=True)
        if args.expect_deny:
            if q.get("denied") != [temp_token]:
                raise FlowError("consent", "deny redirect lacks denied=%s: %s" % (temp_token, cb_target), resp)
            if "oauth_verifier" in q:
                raise FlowError("consent", "deny redirect carries an oauth_verifier: %s" % cb_target, resp)
        else:
            if q.get("oauth_token") != [temp_token]:
                raise FlowError("consent", "callback redirect has oauth_token=%r, expected %r"
                                % (q.get("oauth_token"), temp_token), resp)
            if not q.get("oauth_verifier") or not q["oauth_verifier"][0]:
                raise FlowError("consent", "callback redirect lacks oauth_verifier: %s" % cb_target, resp)
            verifier = q["oauth_verifier"][0]
    else:
        if resp.status_code in REDIRECT_CODES or resp.status_code >= 500:
            raise FlowError("consent", "expected an HTML page for the oob callback", resp)
        page = parse_page(resp.text)
        shown = page.texts_by_id.get("verifier")
        if args.expect_deny:
            if shown and shown.strip():
                raise FlowError("consent", "deny page shows a verifier", resp)
        else:
            if resp.status_code != 200 or not shown or not shown.strip():
                raise FlowError("consent", "oob page lacks <code id=\"verifier\">", resp)
            verifier = shown.strip()
    trace("verifier %r" % verifier)

    # -- 3. token credentials ------------------------------------------------------
    if args.expect_deny:
        try:
            oauth.fetch_access_token(base + "/token", verifier="no-verifier-was-issued", timeout=args.timeout)
        except TokenRequestDenied as e:
            if e.response.status_code != 401:
                raise FlowError("token", "token request for a denied token failed with %d, expected 401"
                                % e.response.status_code, e.response)
            print(json.dumps({"denied": True, "temporary_token": temp_token,
                              "token_status": e.response.status_code}))
            return 0
        except requests.RequestException as e:
            raise FlowError("token", "HTTP request failed: %s" % e)
        except ValueError as e:
            raise FlowError("token", "unparseable response (%s)" % e, hook.resp)
        raise FlowError("token", "token request for a denied temporary credential succeeded", hook.resp)

    try:
        tok = oauth.fetch_access_token(base + "/token", verifier=verifier, timeout=args.timeout)
    except TokenRequestDenied as e:
        raise FlowError("token", "token credential request refused", e.response)
    except requests.RequestException as e:
        raise FlowError("token", "HTTP request failed: %s" % e)
    except ValueError as e:
        raise FlowError("token", "unparseable response (%s)" % e, hook.resp)
    for name in ("oauth_token", "oauth_token_secret"):
        if not tok.get(name):
            raise FlowError("token", "response lacks %s" % name, hook.resp)
    if tok["oauth_token"] == temp_token:
        raise FlowError("token", "token credential equals the temporary credential", hook.resp)

    # -- 4. protected resource -------------------------------------------------------
    # oauthlib refuses body-signed GET requests (a GET has no form body), so a
    # body-signed flow signs the GET /user in the query instead.
    user_sig_type = SIGNATURE_TYPE_QUERY if sig_type == SIGNATURE_TYPE_BODY else sig_type
    uhook = LastResponse()
    api = make_oauth_session(args, rsa_key, user_sig_type, uhook,
                             resource_owner_key=tok["oauth_token"],
                             resource_owner_secret=tok["oauth_token_secret"])
    try:
        resp = api.get(base + "/user", timeout=args.timeout)
    except requests.RequestException as e:
        raise FlowError("user", "HTTP request failed: %s" % e)
    if resp.status_code != 200:
        raise FlowError("user", "protected resource refused", resp)
    try:
        user = resp.json()
    except ValueError:
        raise FlowError("user", "response is not JSON", resp)
    if not isinstance(user, dict) or "id" not in user or "username" not in user:
        raise FlowError("user", "JSON lacks id/username", resp)
    if user["username"] != args.username:
        raise FlowError("user", "username %r differs from the one who logged in (%r)"
                        % (user["username"], args.username), resp)

    print(json.dumps({
        "user": user,
        "token": tok["oauth_token"],
        "token_secret": tok["oauth_token_secret"],
        "temporary_token": temp_token,
    }))
    return 0


# ---------------------------------------------------------------------------
# Self test of the HTML helpers (no network)
# ---------------------------------------------------------------------------

def self_test():
    login = """<!doctype html><html><body>
      <form method="POST" action="login?x=1">
        <input type=hidden name="csrf_token" value="c&amp;1">
        <input type="hidden" name="next" value="/oauth/authorize?oauth_token=abc">
        <label>User <input name="username"></label>
        <input type="password" name="password" value="">
        <button>Sign in</button>
      </form></body></html>"""
    p = parse_page(login)
    f = find_form(p, ("username", "password"))
    assert f is not None and f["method"] == "post"
    assert form_field_value(f, "csrf_token") == "c&1"
    assert form_target(f, "http://h:1/oauth/login?next=x") == "http://h:1/oauth/login?x=1"
    pay = form_payload(f, {"username": "alice", "password": "pw"}, f["submits"][0])
    assert pay == [("csrf_token", "c&1"), ("next", "/oauth/authorize?oauth_token=abc"),
                   ("username", "alice"), ("password", "pw")], pay

    consent = """<html><body><p>Grant?</p>
      <form method="post" action="/oauth/authorize">
        <input type="hidden" name="oauth_token" value="T1"/>
        <input type="hidden" name="csrf_token" value="K"/>
        <input type="checkbox" name="scope" value="read" checked>
        <input type="checkbox" name="scope" value="write">
        <button type="submit" name="decision" value="approve">Allow</button>
        <button type="submit" name="decision" value="deny">Deny</button>
      </form></body></html>"""
    p = parse_page(consent)
    f = find_form(p, ("oauth_token", "csrf_token"), submit_value="approve")
    assert f is not None and find_form(p, ("oauth_token",), submit_value="maybe") is None
    b = next(s for s in f["submits"] if s["value"] == "deny")
    assert form_payload(f, submit=b) == [("oauth_token", "T1"), ("csrf_token", "K"),
                                         ("scope", "read"), ("decision", "deny")]
    assert form_target(f, "http://h:1/oauth/authorize?oauth_token=T1") == "http://h:1/oauth/authorize"
    empty_action = parse_page('<form method="post"><input name="a" value="1"></form>').forms[0]
    assert form_target(empty_action, "http://h/p?q=1") == "http://h/p?q=1"

    oob = '<html><body><p>Your code: <code id="verifier">V-123&lt;x&gt;</code></p><br id="nothing"/></body></html>'
    p = parse_page(oob)
    assert p.texts_by_id["verifier"] == "V-123<x>", p.texts_by_id
    nested = '<div id="outer"><span>a</span><code id="verifier"> v9 </code></div>'
    p = parse_page(nested)
    assert p.texts_by_id["verifier"].strip() == "v9" and p.texts_by_id["outer"] == "a v9 "

    assert is_callback("http://client.invalid/cb?oauth_token=a", "http://client.invalid/cb")
    assert is_callback("http://client.invalid:80/cb?x", "http://client.invalid/cb")
    assert not is_callback("http://client.invalid/other", "http://client.invalid/cb")
    assert not is_callback("http://127.0.0.1:1/oauth/authorize", "oob")
    print("self-test passed")
    return 0


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Run the full OAuth 1.0a three-legged flow (initiate, login, consent, token, "
                    "protected resource) against an oauth1-fcgi provider.")
    ap.add_argument("--base", help="provider base URL, e.g. http://127.0.0.1:18080/oauth")
    ap.add_argument("--client-key", help="client identifier (oauth_consumer_key)")
    ap.add_argument("--client-secret", default="", help="client shared secret (default: empty)")
    ap.add_argument("--signature-method", default="HMAC-SHA1", choices=sorted(SIGNATURE_METHODS))
    ap.add_argument("--rsa-private-key", metavar="FILE", help="PEM private key for RSA-* methods")
    ap.add_argument("--callback", default="oob", help='callback URL or "oob" (default)')
    ap.add_argument("--username", help="resource owner's login name")
    ap.add_argument("--password", help="resource owner's password")
    ap.add_argument("--signature-type", default="header", choices=sorted(SIGNATURE_TYPES),
                    help="where OAuth parameters travel (default header); with body, GET /user "
                         "is signed in the query since a GET has no form body")
    ap.add_argument("--basic-auth", action="store_true",
                    help="the browser sends --username/--password as HTTP Basic to a web server that sets REMOTE_USER "
                         "(OAUTH1_TRUST_REMOTE_USER); the provider's sign-in form must not appear")
    ap.add_argument("--scope", help="extra 'scope' form field sent with the initiate request")
    ap.add_argument("--expect-deny", action="store_true",
                    help="press deny; succeed only if the denial is reported and the token "
                         "exchange then fails with 401")
    ap.add_argument("--timeout", type=float, default=15.0, help="per-request timeout in seconds")
    ap.add_argument("-v", "--verbose", action="store_true", help="trace every HTTP step on stderr")
    ap.add_argument("--self-test", action="store_true", help="check the HTML helpers offline and exit")
    args = ap.parse_args(argv)
    if not args.self_test:
        missing = [o for o in ("base", "client_key", "username", "password") if getattr(args, o) is None]
        if missing:
            ap.error("missing required options: " + ", ".join("--" + m.replace("_", "-") for m in missing))
    return args


def main(argv=None):
    global VERBOSE
    args = parse_args(sys.argv[1:] if argv is None else argv)
    VERBOSE = args.verbose
    if args.self_test:
        return self_test()
    try:
        return run(args)
    except FlowError as e:
        print(e.render(), file=sys.stderr)
        return 1
    except Exception as e:  # anything unexpected is still a clear failure
        print("three_legged.py: FAILED with unexpected %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
