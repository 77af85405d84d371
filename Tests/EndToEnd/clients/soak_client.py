#!/usr/bin/python3
"""One client of the soak under faults: until --seconds have passed, run
three-legged flows (requests-oauthlib, oob, the consent form in a signed-in
browser session) and after each flow --requests signed GET BASE/user, each
sent twice, byte for byte: the first must be 200 (or a 5xx from a fault), the
second must never be 200 (the nonce was used).

Every answer outside what is expected is an event with its time, so the
harness can match each 5xx or dropped connection with a fault it caused.
Then it waits for --go-file (the harness writes it once the faults have
stopped), checks that every token credential it received still works, and
replays the successful requests still inside the timestamp window once more.

Prints one JSON object on stdout; exit status 0 unless the script itself broke.
"""

import argparse
import json
import os
import sys
import time
import urllib.parse

import requests
from oauthlib.oauth1 import Client
from requests_oauthlib import OAuth1Session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from three_legged import find_form, form_payload, form_target, parse_page  # noqa: E402


class Fault(Exception):
    """A 5xx, a dropped connection or a timeout: the kind of failure a fault may cause."""


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--client-key", required=True)
    ap.add_argument("--client-secret", required=True)
    ap.add_argument("--username", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--requests", type=int, default=4, help="protected requests after each flow")
    ap.add_argument("--go-file", required=True)
    ap.add_argument("--window", type=int, default=300, help="the provider's timestamp window")
    return ap.parse_args(argv)


class Soak:
    def __init__(self, args):
        self.args = args
        self.base = args.base.rstrip("/")
        self.browser = requests.Session()
        self.api = requests.Session()
        self.tokens = []
        self.successes = []
        self.faults = []        # [time, what, status or error]
        self.violations = []    # answers no fault can explain
        self.counts = {"flows": 0, "requests": 0, "accepted": 0, "replays_refused": 0}

    def check(self, what, response):
        if response.status_code >= 500:
            raise Fault("%s answered %d" % (what, response.status_code))
        return response

    def request(self, session, what, method, url, **kw):
        try:
            return self.check(what, session.request(method, url, allow_redirects=False, timeout=30, **kw))
        except (requests.ConnectionError, requests.Timeout) as e:
            raise Fault("%s: %s" % (what, e))

    def sign_in(self):
        page = self.request(self.browser, "login page", "GET", self.base + "/login")
        form = find_form(parse_page(page.text), ("username", "password"))
        payload = form_payload(form, {"username": self.args.username, "password": self.args.password})
        answer = self.request(self.browser, "login", "POST", form_target(form, page.url), data=payload)
        if answer.status_code != 303:
            raise RuntimeError("sign-in refused: %d %s" % (answer.status_code, answer.text[:200]))

    def flow(self):
        oauth = OAuth1Session(self.args.client_key, client_secret=self.args.client_secret, callback_uri="oob")
        try:
            temporary = oauth.fetch_request_token(self.base + "/initiate", timeout=30)
        except (requests.ConnectionError, requests.Timeout) as e:
            raise Fault("initiate: %s" % e)
        except Exception as e:  # TokenRequestDenied and unparseable answers
            status = getattr(getattr(e, "response", None), "status_code", 0)
            if status >= 500:
                raise Fault("initiate answered %d" % status)
            raise
        url = self.base + "/authorize?" + urllib.parse.urlencode({"oauth_token": temporary["oauth_token"]})
        page = self.request(self.browser, "consent page", "GET", url)
        if page.status_code == 303:  # the session ended with a restart? sign in again, once
            self.sign_in()
            page = self.request(self.browser, "consent page", "GET", url)
        form = find_form(parse_page(page.text), ("oauth_token", "csrf_token"), submit_value="approve")
        if form is None:
            raise RuntimeError("no consent form: %d %s" % (page.status_code, page.text[:200]))
        button = next(s for s in form["submits"] if s["value"] == "approve")
        shown = self.request(self.browser, "consent", "POST", form_target(form, page.url), data=form_payload(form, submit=button))
        verifier = (parse_page(shown.text).texts_by_id.get("verifier") or "").strip()
        if not verifier:
            raise RuntimeError("no verifier: %d %s" % (shown.status_code, shown.text[:200]))
        try:
            token = oauth.fetch_access_token(self.base + "/token", verifier=verifier, timeout=30)
        except (requests.ConnectionError, requests.Timeout) as e:
            raise Fault("token: %s" % e)
        except Exception as e:
            status = getattr(getattr(e, "response", None), "status_code", 0)
            if status >= 500:
                raise Fault("token answered %d" % status)
            raise
        self.tokens.append((token["oauth_token"], token["oauth_token_secret"]))
        self.counts["flows"] += 1
        return token["oauth_token"], token["oauth_token_secret"]

    def signed(self, token):
        client = Client(self.args.client_key, client_secret=self.args.client_secret,
                        resource_owner_key=token[0], resource_owner_secret=token[1])
        url, headers, _ = client.sign(self.base + "/user")
        return url, headers

    def protected(self, token):
        url, headers = self.signed(token)
        self.counts["requests"] += 1
        first = self.request(self.api, "user", "GET", url, headers=headers)
        if first.status_code != 200:
            self.violations.append([time.time(), "a fresh signed request got %d: %s" % (first.status_code, first.text[:200])])
            return
        self.counts["accepted"] += 1
        self.successes.append((time.time(), url, headers))
        replay = self.request(self.api, "replay", "GET", url, headers=headers)
        if replay.status_code == 200:
            self.violations.append([time.time(), "a replayed request was accepted"])
        elif "nonce_used" not in replay.text:
            self.violations.append([time.time(), "a replay got %d without nonce_used: %s" % (replay.status_code, replay.text[:200])])
        else:
            self.counts["replays_refused"] += 1

    def soak(self):
        deadline = time.time() + self.args.seconds
        signed_in = False
        while time.time() < deadline:
            try:
                if not signed_in:
                    self.sign_in()
                    signed_in = True
                token = self.flow()
                for _ in range(self.args.requests):
                    self.protected(token)
            except Fault as fault:
                self.faults.append([time.time(), str(fault)])
                time.sleep(0.05)
            except Exception as e:  # anything else is not a fault's doing
                self.violations.append([time.time(), "%s: %s" % (type(e).__name__, e)])
                time.sleep(0.05)

    def verify(self):
        while not os.path.exists(self.args.go_file):
            time.sleep(0.1)
        broken = 0
        for token in self.tokens:
            url, headers = self.signed(token)
            answer = self.api.get(url, headers=headers, timeout=30)
            if answer.status_code != 200:
                broken += 1
                self.violations.append([time.time(), "token %s no longer works: %d %s" % (token[0], answer.status_code, answer.text[:200])])
        replayed = 0
        for sent, url, headers in self.successes:
            if time.time() - sent > self.args.window - 30:
                continue
            replayed += 1
            if self.api.get(url, headers=headers, timeout=30).status_code == 200:
                self.violations.append([time.time(), "a request was accepted again after the faults"])
        return {"tokens_checked": len(self.tokens), "tokens_broken": broken, "final_replays": replayed}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    soak = Soak(args)
    soak.soak()
    final = soak.verify()
    print(json.dumps(dict(soak.counts, faults=soak.faults, violations=soak.violations, **final)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
