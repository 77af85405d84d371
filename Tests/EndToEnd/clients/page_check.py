#!/usr/bin/python3
"""Load oauth1-fcgi's HTML pages in a headless Chromium, as a person would, and check them.

Pages, in order (each one navigated to, waited for, screenshotted to DIR/NN-name.png):
  login          GET  BASE/login               the form is filled in and submitted
  home           GET  BASE/                    where the sign-in lands ("Signed in")
  consent        GET  BASE/authorize?oauth_token=T
                 (T from POST BASE/initiate, signed with the client's HMAC-SHA1 credentials, oauth_callback=oob)
  verifier       POST BASE/authorize           "Allow" pressed: the oob page with <code id="verifier">
                 (then POST BASE/token exchanges the verifier and GET BASE/user is called with the token)
  developer      GET  BASE/developer
  developer-new  GET  BASE/developer/new
  applications   GET  BASE/account/applications  must list the client just allowed

For every page it checks:
  - the browser console (driver.get_log('browser')) has no SEVERE entry and no Content Security Policy
    violation; a securitypolicyviolation listener installed before any page script runs catches the
    violations the console might not report;
  - the document's HTTP status is 200, read from Chrome's DevTools network log;
  - framing is forbidden (X-Frame-Options: DENY and CSP frame-ancestors 'none') both in the response the
    browser got (DevTools log) and, for pages reached by GET, in the same URL fetched again with
    python requests carrying the browser's cookies;
  - the <title> and the <h1> are the expected ones, and each page's own content (form fields, the verifier,
    the listed application);
  - every POST form carries a non-empty csrf_token;
  - nothing is wider than the viewport (no horizontal scrolling at phone width);
  - text has a WCAG contrast ratio of at least 4.5:1 (3:1 for large text) against its background.

Output: one JSON line on stdout, always:
  {"pages": [{"name", "url", "screenshot", "console_errors", "problems", ...}], "ok": true|false, ...}
Exit status: 0 when ok, 1 when a check failed, 2 on bad usage or missing packages.
Needs the Debian packages chromium, chromium-driver, python3-selenium, python3-requests,
python3-requests-oauthlib and python3-oauthlib.
"""

import argparse
import base64
import json
import os
import re
import signal
import sys
import tempfile
import time
import urllib.parse

try:
    import requests
    from requests_oauthlib import OAuth1
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.remote_connection import RemoteConnection
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as missing:  # pragma: no cover - depends on the machine
    sys.stderr.write("page_check.py: %s; install the Debian packages python3-selenium python3-requests "
                     "python3-requests-oauthlib python3-oauthlib chromium chromium-driver\n" % missing)
    sys.exit(2)

VERBOSE = False

# The page names, in order, and what each page's <title> starts with and its <h1> must match.
EXPECTED = {
    "login": ("Sign in", r"^Sign in$"),
    "home": ("Signed in", r"^Signed in$"),
    "consent": ("Authorize ", r"^Allow .+ to use your account\?$"),
    "verifier": ("Access allowed", r"^Access allowed$"),
    "developer": ("Your applications", r"^Your applications$"),
    "developer-new": ("Register an application", r"^Register an application$"),
    "applications": ("Connected applications", r"^Connected applications$"),
}
PAGE_ORDER = list(EXPECTED)

# Installed with Page.addScriptToEvaluateOnNewDocument, so it runs before anything on the page (DevTools
# scripts are not subject to the page's CSP). It records every CSP violation the document reports.
CSP_LISTENER = r"""
(function () {
  if (window.__pageCheckViolations) { return; }
  var seen = [];
  Object.defineProperty(window, '__pageCheckViolations', { value: seen });
  document.addEventListener('securitypolicyviolation', function (e) {
    seen.push('CSP violation: ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') +
              (e.sourceFile ? ' at ' + e.sourceFile + ':' + e.lineNumber : '') +
              ' (policy: ' + e.originalPolicy + ')');
  });
})();
"""

# Facts about the loaded document, gathered in one round trip.
PAGE_FACTS = r"""
function parse(c) {
  var m = /rgba?\(([^)]+)\)/.exec(c || '');
  if (!m) { return null; }
  var p = m[1].split(/[ ,\/]+/).filter(function (s) { return s.length; }).map(parseFloat);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function over(top, bottom) {
  var a = top[3];
  return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
}
function luminance(c) {
  var v = c.slice(0, 3).map(function (x) {
    x = x / 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}
function background(el, canvas) {
  var layers = [];
  for (var e = el; e && e.nodeType === 1; e = e.parentElement) {
    var c = parse(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) { break; } }
  }
  var result = canvas;
  for (var i = layers.length - 1; i >= 0; i--) { result = over(layers[i], result); }
  return result;
}
function describe(el) {
  var s = el.tagName.toLowerCase();
  if (el.id) { s += '#' + el.id; }
  if (el.className && typeof el.className === 'string') { s += '.' + el.className.trim().split(/\s+/).join('.'); }
  var t = (el.innerText || el.value || '').trim().replace(/\s+/g, ' ');
  return t ? s + ' "' + t.slice(0, 40) + '"' : s;
}
var dark = matchMedia('(prefers-color-scheme: dark)').matches;
var canvas = dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
var root = document.documentElement;
var viewport = root.clientWidth;
var wide = [];
var lowContrast = [];
var all = document.body ? document.body.querySelectorAll('*') : [];
for (var i = 0; i < all.length; i++) {
  var el = all[i];
  var style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden' || el.type === 'hidden') { continue; }
  var box = el.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) { continue; }
  if (box.right > viewport + 1 && wide.length < 5) {
    wide.push(describe(el) + ' reaches ' + Math.round(box.right) + 'px');
  }
  var ownText = false;
  for (var n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 3 && n.textContent.trim()) { ownText = true; break; }
  }
  if (!ownText && !(el.tagName === 'INPUT' && el.value) && el.tagName !== 'TEXTAREA') { continue; }
  var fg = parse(style.color);
  if (!fg) { continue; }
  var bg = background(el, canvas);
  fg = over(fg, bg);
  var l1 = luminance(fg), l2 = luminance(bg);
  var ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  var size = parseFloat(style.fontSize), weight = parseInt(style.fontWeight, 10) || 400;
  var large = size >= 24 || (size >= 18.66 && weight >= 700);
  if (ratio < (large ? 3 : 4.5) && lowContrast.length < 5) {
    lowContrast.push(describe(el) + ' contrast ' + ratio.toFixed(2) + ':1 (' + style.color + ' on rgb(' +
                     bg.slice(0, 3).map(Math.round).join(', ') + '), ' + size + 'px)');
  }
}
var formsWithoutToken = [];
var forms = document.querySelectorAll('form');
for (var f = 0; f < forms.length; f++) {
  if ((forms[f].getAttribute('method') || 'get').toLowerCase() !== 'post') { continue; }
  var token = forms[f].querySelector('input[name="csrf_token"]');
  if (!token || !token.value) { formsWithoutToken.push(forms[f].getAttribute('action') || '(no action)'); }
}
var h1 = document.querySelector('h1');
return {
  title: document.title,
  h1: h1 ? h1.innerText.trim() : null,
  viewportWidth: viewport,
  contentWidth: root.scrollWidth,
  contentHeight: Math.max(root.scrollHeight, document.body ? document.body.scrollHeight : 0),
  wide: wide,
  lowContrast: lowContrast,
  formsWithoutToken: formsWithoutToken,
  violations: (window.__pageCheckViolations || []).slice(),
  darkScheme: dark
};
"""


def trace(message):
    if VERBOSE:
        sys.stderr.write("page_check.py: %s\n" % message)


class Fatal(Exception):
    """A step the rest of the run depends on failed."""


# ---------------------------------------------------------------------------------------------------------------
# Header checks (shared by the DevTools response and the python requests fetch)

def header(headers, name):
    """Case-insensitive header lookup; repeated headers (Chrome joins them with newlines) come back joined."""
    found = [str(v) for k, v in headers.items() if k.lower() == name.lower()]
    return "\n".join(found) if found else None


def framing_problems(headers, where):
    problems = []
    xfo = header(headers, "X-Frame-Options")
    if xfo is None:
        problems.append("%s: no X-Frame-Options header" % where)
    elif [v.strip().upper() for v in xfo.split("\n")] != ["DENY"]:
        problems.append("%s: X-Frame-Options is %r, not DENY" % (where, xfo))
    csp = header(headers, "Content-Security-Policy")
    if csp is None:
        problems.append("%s: no Content-Security-Policy header" % where)
    else:
        ancestors = None
        for policy in csp.split("\n"):
            for directive in policy.split(";"):
                parts = directive.split()
                if parts and parts[0].lower() == "frame-ancestors":
                    ancestors = [p.lower() for p in parts[1:]]
        if ancestors != ["'none'"]:
            problems.append("%s: Content-Security-Policy %r lacks frame-ancestors 'none'" % (where, csp))
    return problems


def classify_console(entries, ignore):
    """Browser log entries -> (errors, warnings, ignored) as 'LEVEL source: message' lines.

    An error is any SEVERE entry and anything about the Content Security Policy, whatever its level;
    one matching an --ignore-console pattern is set apart instead."""
    errors, warnings, ignored = [], [], []
    for entry in entries:
        message = entry.get("message", "")
        level = entry.get("level", "")
        text = "%s %s: %s" % (level, entry.get("source", "console"), message)
        trace("console: %s" % text)
        if level == "SEVERE" or re.search(r"Content[ -]Security[ -]Policy", message, re.I):
            (ignored if any(re.search(p, text) for p in ignore) else errors).append(text)
        elif level == "WARNING":
            warnings.append(text)
    return errors, warnings, ignored


def cookie_header(driver, url):
    """The Cookie header the browser would send to url, from driver.get_cookies()."""
    path = urllib.parse.urlsplit(url).path or "/"
    pairs = []
    for cookie in driver.get_cookies():
        cookie_path = cookie.get("path") or "/"
        if path == cookie_path or path.startswith(cookie_path.rstrip("/") + "/"):
            pairs.append("%s=%s" % (cookie["name"], cookie["value"]))
    return "; ".join(pairs)


# ---------------------------------------------------------------------------------------------------------------
# The browser

def descendants(pid):
    """Process ids below pid (read from /proc), so that nothing the driver started can outlive the run."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def process_name(pid):
    try:
        with open("/proc/%d/comm" % pid) as comm:
            return comm.read().strip()
    except OSError:
        return None


class Browser:
    def __init__(self, args):
        self.args = args
        self.driver = None
        self.service = None
        self.profile = None
        self.started = {}  # pid -> process name, for the clean-up

    def start(self):
        width, height = self.args.window_size
        options = webdriver.ChromeOptions()
        options.binary_location = self.args.chromium
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=%d,%d" % (width, height), "--no-first-run", "--no-default-browser-check",
                     "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                     "--disable-extensions", "--disable-sync", "--lang=en-US", "--hide-scrollbars",
                     "--user-data-dir=%s" % self.profile_dir()):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        options.set_capability("pageLoadStrategy", "normal")
        self.service = Service(executable_path=self.args.chromedriver)
        RemoteConnection.set_timeout(self.args.timeout + 30)
        trace("starting %s with %s" % (self.args.chromedriver, self.args.chromium))
        try:
            self.driver = webdriver.Chrome(service=self.service, options=options)  # starts the service too
        finally:
            self.remember()
        self.remember()
        self.driver.set_page_load_timeout(self.args.timeout)
        self.driver.set_script_timeout(self.args.timeout)
        self.driver.execute_cdp_cmd("Page.enable", {})
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})
        # Emulate the screen, so meta viewport and touch behave as on a phone when the width is a phone's.
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": self.args.color_scheme}]})
        return self.driver

    def profile_dir(self):
        if self.profile is None:
            self.profile = tempfile.TemporaryDirectory(prefix="page_check-profile-")
        return self.profile.name

    def remember(self):
        process = getattr(self.service, "process", None)
        if process is None:
            return
        for pid in [process.pid] + descendants(process.pid):
            name = process_name(pid)
            if name:
                self.started.setdefault(pid, name)

    def stop(self):
        """Quit the browser and the driver; then end, by pid, whatever they started that is still alive."""
        if self.driver is not None:
            try:
                self.remember()
                self.driver.quit()
            except Exception as error:  # the browser may already be gone
                trace("driver.quit: %s" % error)
            self.driver = None
        if self.service is not None:
            try:
                self.service.stop()
            except Exception as error:
                trace("service.stop: %s" % error)
            self.service = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(process_name(p) == n for p, n in self.started.items()):
            time.sleep(0.1)
        for pid, name in self.started.items():
            if process_name(pid) == name:  # still the process we started, not a reused pid
                trace("killing left-over %s (%d)" % (name, pid))
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if self.profile is not None:
            self.profile.cleanup()
            self.profile = None


# ---------------------------------------------------------------------------------------------------------------
# One page

class PageChecker:
    def __init__(self, driver, args):
        self.driver = driver
        self.args = args
        self.pages = []
        self.http = requests.Session()
        self.http.trust_env = False  # never a proxy: everything goes to the provider directly

    def wait(self, condition, what):
        try:
            return WebDriverWait(self.driver, self.args.timeout, poll_frequency=0.1).until(condition)
        except TimeoutException:
            raise Fatal("timed out after %gs waiting for %s (at %s)" % (self.args.timeout, what, self.driver.current_url))

    def wait_loaded(self):
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete", "document.readyState complete")

    def drain(self):
        """Log entries since the last read go to the page that was showing (late ones such as favicon fetches)."""
        self.record_console(self.pages[-1] if self.pages else None)
        self.driver.get_log("performance")

    def record_console(self, page):
        errors, warnings, ignored = classify_console(self.driver.get_log("browser"), self.args.ignore_console)
        if page is not None:
            page["console_errors"].extend(errors)
            page["console_warnings"].extend(warnings)
            page["console_ignored"].extend(ignored)

    def document_response(self):
        """The last main document response in the DevTools network log: (status, headers) or None."""
        last = None
        for entry in self.driver.get_log("performance"):
            try:
                message = json.loads(entry["message"])["message"]
            except (KeyError, ValueError):
                continue
            if message.get("method") == "Network.responseReceived" and message["params"].get("type") == "Document":
                last = message["params"]["response"]
        if last is None:
            return None
        return last.get("status"), last.get("headers", {})

    def navigate(self, url):
        self.drain()
        trace("GET %s" % url)
        try:
            self.driver.get(url)
        except TimeoutException:
            raise Fatal("timed out after %gs loading %s" % (self.args.timeout, url))
        self.wait_loaded()

    def submit(self, button):
        """Click a submit button and wait until the next document has replaced this one."""
        self.drain()
        old = self.driver.find_element(By.TAG_NAME, "html")
        button.click()

        def replaced(driver):
            try:
                old.tag_name
                return False
            except WebDriverException:  # stale: a new document is there
                return True
        self.wait(replaced, "the page after submitting the form")
        self.wait_loaded()

    def check(self, name, fetch_again=True, extra=None):
        """Screenshot and check the page now displayed; returns its record (also kept in self.pages)."""
        time.sleep(self.args.settle)  # let late console messages (favicon, subresources) arrive
        url = self.driver.current_url
        page = {"name": name, "url": url, "screenshot": None, "console_errors": [], "console_warnings": [],
                "console_ignored": [], "problems": [], "status": None, "title": None, "h1": None}
        self.pages.append(page)
        problems = page["problems"]

        response = self.document_response()
        if response is None:
            problems.append("no document response in the DevTools network log")
        else:
            page["status"], headers = response
            if page["status"] != 200:
                problems.append("HTTP status %s, not 200%s" % (page["status"], " (is the route missing from this binary?)"
                                                                  if page["status"] == 404 else ""))
            problems.extend(framing_problems(headers, "browser response"))

        facts = self.driver.execute_script(PAGE_FACTS)
        page["title"], page["h1"] = facts["title"], facts["h1"]
        title_prefix, h1_pattern = EXPECTED[name]
        if not (facts["title"] or "").startswith(title_prefix):
            problems.append("title %r does not start with %r" % (facts["title"], title_prefix))
        if facts["h1"] is None or not re.match(h1_pattern, facts["h1"]):
            problems.append("heading %r does not match %r" % (facts["h1"], h1_pattern))
        if facts["contentWidth"] > facts["viewportWidth"] or facts["wide"]:
            problems.append("horizontal overflow: content %dpx wide in a %dpx viewport: %s"
                            % (facts["contentWidth"], facts["viewportWidth"], "; ".join(facts["wide"])))
        for item in facts["lowContrast"]:
            problems.append("low contrast: " + item)
        for action in facts["formsWithoutToken"]:
            problems.append("POST form %s has no csrf_token" % action)
        page["console_errors"].extend(facts["violations"])
        if extra is not None:
            try:
                extra(page)
            except WebDriverException as error:
                problems.append("page content check failed: %s" % error.msg)

        page["screenshot"] = self.screenshot(name, facts)
        self.record_console(page)

        if fetch_again:
            problems.extend(self.fetch_again(url))
        trace("%s: %s" % (name, "ok" if not (problems or page["console_errors"]) else problems + page["console_errors"]))
        return page

    def screenshot(self, name, facts):
        path = os.path.join(self.args.screenshots, "%02d-%s.png" % (len(self.pages), name))
        width, height = self.args.window_size
        try:  # the whole page, not only the first screen
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "scale": 1, "width": max(width, facts["contentWidth"]),
                         "height": max(height, facts["contentHeight"])}})
            with open(path, "wb") as out:
                out.write(base64.b64decode(shot["data"]))
        except WebDriverException as error:
            trace("full-page screenshot failed (%s); saving the viewport" % error.msg)
            self.driver.save_screenshot(path)
        return path

    def fetch_again(self, url):
        """Fetch url with python requests and the browser's cookies: the framing headers must be there too."""
        try:
            resp = self.http.get(url, headers={"Cookie": cookie_header(self.driver, url)},
                                 allow_redirects=False, timeout=self.args.timeout)
        except requests.RequestException as error:
            return ["requests GET %s failed: %s" % (url, error)]
        problems = []
        if resp.status_code != 200:
            problems.append("requests GET %s: HTTP %d, not 200" % (url, resp.status_code))
        return problems + framing_problems(resp.headers, "requests GET")


# ---------------------------------------------------------------------------------------------------------------
# The OAuth steps done outside the browser

def form_response(resp, step, required):
    if resp.status_code != 200:
        raise Fatal("%s: HTTP %d: %s" % (step, resp.status_code, resp.text[:500]))
    values = dict(urllib.parse.parse_qsl(resp.text, keep_blank_values=True))
    absent = [k for k in required if not values.get(k)]
    if absent:
        raise Fatal("%s: response lacks %s: %s" % (step, ", ".join(absent), resp.text[:500]))
    return values


def initiate(args, http):
    auth = OAuth1(args.client_key, client_secret=args.client_secret, callback_uri="oob", signature_method="HMAC-SHA1")
    trace("POST %s/initiate" % args.base)
    resp = http.post(args.base + "/initiate", auth=auth, timeout=args.timeout)
    values = form_response(resp, "POST /initiate", ["oauth_token", "oauth_token_secret"])
    if values.get("oauth_callback_confirmed") != "true":
        raise Fatal("POST /initiate: oauth_callback_confirmed is %r" % values.get("oauth_callback_confirmed"))
    return values["oauth_token"], values["oauth_token_secret"]


def exchange(args, http, token, token_secret, verifier):
    auth = OAuth1(args.client_key, client_secret=args.client_secret, resource_owner_key=token,
                  resource_owner_secret=token_secret, verifier=verifier, signature_method="HMAC-SHA1")
    trace("POST %s/token" % args.base)
    values = form_response(http.post(args.base + "/token", auth=auth, timeout=args.timeout), "POST /token",
                           ["oauth_token", "oauth_token_secret"])
    auth = OAuth1(args.client_key, client_secret=args.client_secret, resource_owner_key=values["oauth_token"],
                  resource_owner_secret=values["oauth_token_secret"], signature_method="HMAC-SHA1")
    resp = http.get(args.base + "/user", auth=auth, timeout=args.timeout)
    if resp.status_code != 200 or resp.json().get("username") != args.username:
        raise Fatal("GET /user with the new token: HTTP %d: %s" % (resp.status_code, resp.text[:500]))


# ---------------------------------------------------------------------------------------------------------------
# The run

def text_of(driver, css):
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].text.strip() if found else None


def run_pages(checker, args):
    driver = checker.driver
    base = args.base

    # 1. Sign in.
    checker.navigate(base + "/login")

    def login_form(page):
        for css in ("input#username", "input#password[type=password]", "input[type=hidden][name=csrf_token]",
                    "button[type=submit]"):
            if not driver.find_elements(By.CSS_SELECTOR, css):
                page["problems"].append("login form lacks %s" % css)
    checker.check("login", extra=login_form)
    try:
        username = driver.find_element(By.ID, "username")
        password = driver.find_element(By.ID, "password")
        button = driver.find_element(By.CSS_SELECTOR, "form button[type=submit]")
    except WebDriverException:
        raise Fatal("no sign-in form at %s" % driver.current_url)
    username.clear()
    username.send_keys(args.username)
    password.send_keys(args.password)
    checker.submit(button)
    if urllib.parse.urlsplit(driver.current_url).path.rstrip("/") != urllib.parse.urlsplit(base).path.rstrip("/"):
        raise Fatal("sign-in as %r did not reach %s/ but %s (%s)" % (args.username, base, driver.current_url,
                                                                     text_of(driver, ".error") or text_of(driver, "h1")))

    def signed_in_as(page):
        if text_of(driver, "strong") != args.username:
            page["problems"].append("home page does not name %r" % args.username)
    checker.check("home", extra=signed_in_as)

    # 2. Consent, for a temporary credential obtained with oauthlib.
    token, token_secret = initiate(args, checker.http)
    checker.navigate(base + "/authorize?" + urllib.parse.urlencode({"oauth_token": token}))
    consent = {}

    def consent_form(page):
        hidden = driver.find_elements(By.CSS_SELECTOR, "input[type=hidden][name=oauth_token]")
        if not hidden or hidden[0].get_attribute("value") != token:
            page["problems"].append("consent form does not carry the temporary token")
        if not driver.find_elements(By.CSS_SELECTOR, "button[name=decision][value=deny]"):
            page["problems"].append("consent page has no deny button")
        match = re.match(r"^Allow (.+) to use your account\?$", page["h1"] or "")
        consent["client"] = match.group(1) if match else None
    checker.check("consent", extra=consent_form)
    approve = driver.find_elements(By.CSS_SELECTOR, "button[name=decision][value=approve]")
    if not approve:
        raise Fatal("no approve button on %s" % driver.current_url)
    checker.submit(approve[0])
    found = {}

    def verifier_shown(page):
        found["verifier"] = text_of(driver, "code#verifier")
        if not found["verifier"]:
            page["problems"].append("no <code id=\"verifier\"> on the page")
    # Reached by POST: its headers come from the DevTools log only; fetching the URL again would be a different page.
    checker.check("verifier", fetch_again=False, extra=verifier_shown)
    if not found["verifier"]:
        raise Fatal("no verifier shown after approving")
    exchange(args, checker.http, token, token_secret, found["verifier"])

    # 3. The developer portal.
    checker.navigate(base + "/developer")

    def register_link(page):
        if not driver.find_elements(By.CSS_SELECTOR, "a[href$='/developer/new']"):
            page["problems"].append("no link to /developer/new")
    checker.check("developer", extra=register_link)
    checker.navigate(base + "/developer/new")

    def client_form(page):
        for css in ("input#name", "textarea#callbacks", "textarea#rsa_public_key", "button[type=submit]"):
            if not driver.find_elements(By.CSS_SELECTOR, css):
                page["problems"].append("registration form lacks %s" % css)
    checker.check("developer-new", extra=client_form)

    # 4. Connected applications: the client just allowed must be listed with a revoke button.
    checker.navigate(base + "/account/applications")

    def listed(page):
        items = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "li")]
        name = consent.get("client")
        if not any(name and name in item for item in items):
            page["problems"].append("the application %r is not listed" % name)
        if not driver.find_elements(By.XPATH, "//button[normalize-space()='Revoke access']"):
            page["problems"].append("no 'Revoke access' button")
    checker.check("applications", extra=listed)
    checker.drain()


# ---------------------------------------------------------------------------------------------------------------
# --self-test: the checks must see what they are meant to see

SELF_TEST_PAGES = [
    # (name, HTML, what must be found)
    ("clean", "<meta name=viewport content='width=device-width'><title>t</title><h1>Fine</h1>"
              "<form method=post><input type=hidden name=csrf_token value=x></form>", set()),
    ("console-error", "<title>t</title><h1>x</h1><script>console.error('page_check self-test error')</script>",
     {"console"}),
    ("csp-violation", "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'\">"
                      "<title>t</title><h1>x</h1><p style='color:red'>styled</p>", {"console", "listener"}),
    ("overflow", "<meta name=viewport content='width=device-width'><div style='width:1500px'>wide</div>", {"overflow"}),
    ("low-contrast", "<p style='color:#bbb;background:#fff'>pale</p>", {"contrast"}),
    ("form-without-token", "<form method=post action=/x><button>Go</button></form>", {"csrf"}),
]


def self_test(args):
    failures = []
    browser = Browser(args)
    try:
        driver = browser.start()
        for name, markup, expected in SELF_TEST_PAGES:
            driver.get_log("browser")
            driver.get("data:text/html;charset=utf-8," + urllib.parse.quote(markup))
            WebDriverWait(driver, args.timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")
            time.sleep(args.settle)
            facts = driver.execute_script(PAGE_FACTS)
            errors, _, _ = classify_console(driver.get_log("browser"), [])
            found = set()
            if errors:
                found.add("console")
            if facts["violations"]:
                found.add("listener")
            if facts["contentWidth"] > facts["viewportWidth"] or facts["wide"]:
                found.add("overflow")
            if facts["lowContrast"]:
                found.add("contrast")
            if facts["formsWithoutToken"]:
                found.add("csrf")
            trace("self-test %s: found %s" % (name, sorted(found)))
            if found != expected:
                failures.append("%s: expected %s, found %s (%s %s)" % (name, sorted(expected), sorted(found), errors, facts))
    except (WebDriverException, TimeoutException) as error:
        failures.append("browser: %s" % getattr(error, "msg", error))
    finally:
        browser.stop()
    header_cases = [
        ({"X-Frame-Options": "DENY", "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}, 0),
        ({"x-frame-options": "deny", "content-security-policy": "frame-ancestors 'none'"}, 0),
        ({"X-Frame-Options": "SAMEORIGIN", "Content-Security-Policy": "frame-ancestors 'none'"}, 1),
        ({"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'self'"}, 1),
        ({"X-Frame-Options": "DENY", "Content-Security-Policy": "default-src 'none'"}, 1),
        ({}, 2),
    ]
    for headers, count in header_cases:
        if len(framing_problems(headers, "self-test")) != count:
            failures.append("framing check on %r: %s" % (headers, framing_problems(headers, "self-test")))
    print(json.dumps({"self_test": True, "ok": not failures, "failures": failures}))
    return 0 if not failures else 1


def parse_size(text):
    match = re.match(r"^(\d+)[x,](\d+)$", text)
    if not match:
        raise argparse.ArgumentTypeError("expected WIDTHxHEIGHT, e.g. 414x896")
    return int(match.group(1)), int(match.group(2))


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Load oauth1-fcgi's pages in headless Chromium and check each one: no console "
                                             "errors or CSP violations, framing forbidden, expected headings; one PNG per page.")
    ap.add_argument("--base", default="http://127.0.0.1:8080/oauth", help="provider base URL (default: %(default)s)")
    ap.add_argument("--username", default="demo", help="user to sign in as (default: %(default)s)")
    ap.add_argument("--password", default="demo-password", help="that user's password (default: %(default)s)")
    ap.add_argument("--client-key", default="demo-client", help="a registered client (default: %(default)s)")
    ap.add_argument("--client-secret", help="its shared secret, for HMAC-SHA1 (required, except with --self-test)")
    ap.add_argument("--screenshots", metavar="DIR", help="where NN-name.png go (created; default: a new temporary directory)")
    ap.add_argument("--timeout", type=float, default=20.0, help="bound on every wait and request, seconds (default: %(default)s)")
    ap.add_argument("--window-size", type=parse_size, default=(414, 896), metavar="WxH",
                    help="viewport; under 600 wide it emulates a phone (default: 414x896)")
    ap.add_argument("--color-scheme", choices=["light", "dark"], default="light",
                    help="prefers-color-scheme to emulate (default: %(default)s)")
    ap.add_argument("--settle", type=float, default=0.3, help="seconds to wait after load for late console messages")
    ap.add_argument("--chromium", default="/usr/bin/chromium", help="browser binary (default: %(default)s)")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver", help="driver binary (default: %(default)s)")
    ap.add_argument("--ignore-console", metavar="REGEX", action="append", default=[],
                    help="a console error matching REGEX is listed under console_ignored instead of failing the run "
                         "(repeatable; CSP violations are never ignored)")
    ap.add_argument("--self-test", action="store_true",
                    help="check the checks themselves on data: pages (no provider needed) and exit")
    ap.add_argument("-v", "--verbose", action="store_true", help="trace each step and every console message on stderr")
    args = ap.parse_args(argv)
    args.base = args.base.rstrip("/")
    if urllib.parse.urlsplit(args.base).scheme not in ("http", "https"):
        ap.error("--base must be an http or https URL")
    for binary in (args.chromium, args.chromedriver):
        if not os.access(binary, os.X_OK):
            ap.error("%s is not executable (install chromium and chromium-driver)" % binary)
    if args.client_secret is None and not args.self_test:
        ap.error("--client-secret is required")
    for pattern in args.ignore_console:
        try:
            re.compile(pattern)
        except re.error as error:
            ap.error("--ignore-console %r: %s" % (pattern, error))
    if args.timeout <= 0:
        ap.error("--timeout must be positive")
    if args.self_test:
        return args
    if args.screenshots is None:
        args.screenshots = tempfile.mkdtemp(prefix="page_check-")
    os.makedirs(args.screenshots, exist_ok=True)
    return args


def main(argv):
    global VERBOSE
    args = parse_args(argv)
    VERBOSE = args.verbose
    started = time.monotonic()
    # SIGTERM/SIGHUP unwind through the finally below, so the browser is always quit.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda number, frame: sys.exit(128 + number))

    if args.self_test:
        return self_test(args)

    browser = Browser(args)
    checker = None
    error = None
    try:
        checker = PageChecker(browser.start(), args)
        run_pages(checker, args)
    except Fatal as failure:
        error = str(failure)
    except (WebDriverException, requests.RequestException, OSError, ValueError) as failure:
        error = "%s: %s" % (type(failure).__name__, getattr(failure, "msg", None) or failure)
    finally:
        browser.stop()

    pages = checker.pages if checker else []
    done = [p["name"] for p in pages]
    if error is None and done != PAGE_ORDER:
        error = "pages checked: %s; expected %s" % (done, PAGE_ORDER)
    ok = error is None and not any(p["console_errors"] or p["problems"] for p in pages)
    result = {"pages": pages, "ok": ok, "error": error, "screenshots": args.screenshots,
              "window_size": "%dx%d" % args.window_size, "color_scheme": args.color_scheme,
              "seconds": round(time.monotonic() - started, 2)}
    print(json.dumps(result))
    if not ok:
        if error:
            sys.stderr.write("page_check.py: FAILED: %s\n" % error)
        for page in pages:
            for line in page["console_errors"] + page["problems"]:
                sys.stderr.write("page_check.py: %s (%s): %s\n" % (page["name"], page["url"], line))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
