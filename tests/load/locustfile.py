"""The province's load (issue #21): staff working through their worklists and citizens on the public pages.

Run by tests/load/run.sh (`make loadtest`): gunicorn on 127.0.0.1, `manage.py loadtest_setup` writes the
sessions and codes this file reads (LOADTEST_DATA), then

    locust -f tests/load/locustfile.py --headless -H http://127.0.0.1:8765 --run-time 5m \
           --users 250 --spawn-rate 50 --csv var/loadtest/run

- **StaffUser** (LOADTEST_STAFF, default 50; one per generated officer of the setup file, each alone on its
  agency's queue for its role): worklist "Của tôi" for the role → the first dossier not tried yet → its page →
  the role's transition (appraiser: propose; leader: approve; desk: assign, resolve or return), a real POST with
  the page's CSRF token, followed to the dossier page, which must say it was done. A refusal the page explains
  (a stale page, a rule) is reported as "transition refused", apart from errors; an empty queue as "no work".
  The POST is timed alone (its answer is the redirect) and the dossier page after it as a page of its own.
- **CitizenUser** (LOADTEST_CITIZENS, default 200): the catalogue search (typical queries), a procedure's page,
  the tracking page with a real code + PIN.
Every response is checked (status + a marker of the page: tests/load/pages.py); a wrong page is a failure.
Think time between requests: LOADTEST_WAIT="min,max" seconds (default 0.5,2).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from http.cookiejar import Cookie
from pathlib import Path
from urllib.parse import urlsplit

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

sys.path.insert(0, str(Path(__file__).resolve().parent))  # locust loads this file by path, not as a package
import pages  # after the path line above

DATA = json.loads(Path(os.environ.get("LOADTEST_DATA", "var/loadtest.json")).read_text(encoding="utf-8"))
WAIT = tuple(float(x) for x in os.environ.get("LOADTEST_WAIT", "0.5,2").split(","))
STAFF = int(os.environ.get("LOADTEST_STAFF", len(DATA["staff"])))
CITIZENS = int(os.environ.get("LOADTEST_CITIZENS", "200"))
QUERIES = ["khai sinh", "dang ky ket hon", "giấy phép xây dựng", "ho kinh doanh", "chung thuc ban sao",
           "ly lich tu phap", "quyen su dung dat", "cap lai giay phep", "bảo trợ xã hội", "khai tu", "thuong tru",
           "an toan thuc pham", "nguoi co cong", "giay phep lai xe", "xac nhan tinh trang hon nhan"]
_next_staff = iter(range(10**9))


def _fire(environment, name: str, started: float, length: int = 0, exception=None) -> None:
    """Record a row of its own (refusals, empty queues): counted apart from the page requests and errors."""
    environment.events.request.fire(request_type="OUTCOME", name=name, response_time=(time.perf_counter() - started)
                                    * 1000, response_length=length, exception=exception, context={})


class Checked:
    """GET or POST a page and check its status and marker; returns the text, or None after marking a failure."""

    def get_page(self, path: str, page: str, name: str, **values) -> str | None:
        with self.client.get(path, name=name, catch_response=True) as response:
            text = response.text or ""
            problem = pages.check(page, response.status_code, text, **values)
            if problem:
                response.failure(problem)
                return None
            response.success()
            return text


class StaffUser(Checked, FastHttpUser):
    fixed_count = STAFF
    wait_time = between(*WAIT)

    def on_start(self):
        self.officer = DATA["staff"][next(_next_staff) % len(DATA["staff"])]
        self.role = self.officer["role"]
        # The session as a browser holds it after logging in; the client's cookie jar then keeps the CSRF and
        # messages cookies the pages set, as a browser does.
        host = urlsplit(self.host).hostname
        self.client.cookiejar.set_cookie(Cookie(0, "sessionid", self.officer["session"], None, False, host, False,
                                                False, "/", True, False, None, False, None, None, {}))
        self.tried: set[int] = set()

    def _get(self, path: str, page: str, name: str, **values) -> str | None:
        return self.get_page(path, page, name, **values)

    @task
    def work(self):
        started = time.perf_counter()
        listing = self._get(f"/ho-so/can-xu-ly/?queue=mine&role={self.role}", "worklist", "worklist (mine)")
        if listing is None:
            return
        rows = [(pk, code) for pk, code in pages.dossier_rows(listing) if pk not in self.tried]
        if not rows:
            _fire(self.environment, "no work left in the queue", started)
            self._get("/ho-so/can-xu-ly/?queue=agency", "worklist", "worklist (agency)")
            return
        pk, code = rows[0]
        self.tried.add(pk)
        detail = self._get(f"/ho-so/{pk}/", "dossier", "dossier page", code=code)
        if detail is None:
            return
        chosen = pages.choose_transition(self.role, pages.action_forms(detail))
        if chosen is None:
            _fire(self.environment, f"no {self.role} move on the page", started)
            return
        name, data = chosen
        posted = time.perf_counter()
        with self.client.post(f"/ho-so/{pk}/{name}/", data=data, name=f"transition {name} (POST)",
                              headers={"Referer": f"{self.host}/ho-so/{pk}/"},
                              allow_redirects=False, catch_response=True) as response:
            # views.dossier_action answers with a redirect to the dossier page, done or refused alike
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or not location.endswith(f"/ho-so/{pk}/"):
                response.failure(f"transition {name}: HTTP {response.status_code} to {location!r}")
                return
            response.success()
        after = self._get(f"/ho-so/{pk}/", "dossier", "dossier page (after a transition)", code=code)
        if after is None:
            return
        result = pages.outcome(after)
        if result == "refused":
            _fire(self.environment, f"transition {name} refused", posted)
        elif result == "unknown":
            _fire(self.environment, f"transition {name}: no message on the page", posted,
                  exception=AssertionError("the dossier page shows neither done nor refused"))


class CitizenUser(Checked, FastHttpUser):
    fixed_count = CITIZENS
    wait_time = between(*WAIT)

    @task(4)
    def search(self):
        q = random.choice(QUERIES)
        self.get_page(f"/thu-tuc/?q={q}", "catalogue", "catalogue search")

    @task(1)
    def catalogue(self):
        self.get_page("/thu-tuc/", "catalogue", "catalogue (first page)")

    @task(3)
    def procedure(self):
        code = random.choice(DATA["procedures"])
        self.get_page(f"/thu-tuc/{code}/", "procedure", "procedure page", code=code)

    @task(3)
    def track(self):
        code, pin = random.choice(DATA["tracking"])
        self.get_page(f"/ho-so/tra-cuu/?code={code}&pin={pin}", "track", "tracking (code + PIN)", code=code)


@events.quitting.add_listener
def _summary(environment, **kwargs):
    """Print throughput, p95 per page and the failures, the report's table."""
    stats = environment.stats
    print("\n| page | requests | failures | req/s | median ms | p95 ms | max ms |\n|---|---|---|---|---|---|---|")
    for entry in sorted(stats.entries.values(), key=lambda e: (e.method != "OUTCOME", e.name)):
        print(f"| {entry.name}{' (count)' if entry.method == 'OUTCOME' else ''} | {entry.num_requests} | "
              f"{entry.num_failures} | {entry.total_rps:.1f} | {entry.get_response_time_percentile(0.5):.0f} | "
              f"{entry.get_response_time_percentile(0.95):.0f} | {entry.max_response_time:.0f} |")
    total = stats.total
    print(f"| all | {total.num_requests} | {total.num_failures} | {total.total_rps:.1f} | "
          f"{total.get_response_time_percentile(0.5):.0f} | {total.get_response_time_percentile(0.95):.0f} | "
          f"{total.max_response_time:.0f} |")
    for error in stats.errors.values():
        print(f"error x{error.occurrences}: {error.method} {error.name}: {error.error}")
