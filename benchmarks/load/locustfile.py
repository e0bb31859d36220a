"""Learners and coordinators on one Muster server (issue 13.2); run by run.sh.

Learners send a seat-time heartbeat every few seconds and, now and then, open
the final assessment and answer it. Coordinators open the dashboard, a person's
page and the import screens (upload a roster file, see the mapping). Each
worker counts the heartbeats and answered attempts the server accepted and
writes them to $LOAD_COUNTS at the end, so count.py can compare them with the
rows in the database: anything accepted but missing was lost.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from http.cookiejar import Cookie

from locust import FastHttpUser, between, events, task

with open(os.environ["LOAD_PREPARED"]) as prepared:
    PREPARED = json.load(prepared)
COUNTS = {"heartbeats": 0, "attempts": 0}
_learners = itertools.cycle(PREPARED["learners"])
_coordinators = itertools.cycle(PREPARED["coordinators"])
ATTEMPT = re.compile(r'name="attempt" value="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The lesson page tells its script how often to send a heartbeat (seat.js reads
# the same attribute): the learners here keep that pace.
INTERVAL = re.compile(r'data-interval="(\d+)"')
ROSTER = (
    "external_id,first_name,last_name,discipline,license_state,license_number,"
    "licensed_on\r\nL-1,Pat,Quinn,peace-officer,MO,MO-1,2015-03-01\r\n"
)


def host_cookie(host: str, name: str, value: str) -> Cookie:
    """A cookie for `host` only, as the server would have set it at sign-in."""
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )


# FastHttpUser (geventhttpclient) rather than HttpUser (requests): locust runs on
# the same two cores as the server, and requests spends several times the CPU per
# request, which the server's figures would then pay for.
class SignedIn(FastHttpUser):
    abstract = True
    sessions = None

    start_page = "/"

    def on_start(self) -> None:
        host = re.sub(r"^https?://|[:/].*$", "", self.host)
        self.client.cookiejar.set_cookie(
            host_cookie(host, PREPARED["cookie"], next(self.sessions))
        )
        # A page with a form, for the CSRF cookie the posts need.
        first = self.client.get(
            self.start_page, name="first page", allow_redirects=False
        )
        if first.status_code != 200:
            raise RuntimeError(f"not signed in: {self.start_page} {first.status_code}")
        self.first_page = first.text or ""

    def csrf(self, page: str) -> str:
        found = CSRF.search(page)
        return found.group(1) if found else ""

    def csrf_cookie(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value or ""
        return ""


# As many users of each kind as prepare.py signed in (LEARNERS, COORDINATORS):
# with weights, locust would split run.sh's total 10 to 1 whatever they were
# (LEARNERS=2 COORDINATORS=1 ran three learners and no coordinator).
class Learner(SignedIn):
    fixed_count = len(PREPARED["learners"])
    sessions = _learners
    start_page = f"/learn/{PREPARED['course']}/lessons/1/"
    interval = 15.0

    def on_start(self) -> None:
        super().on_start()
        found = INTERVAL.search(self.first_page)
        if not found:
            raise RuntimeError("the lesson page names no heartbeat interval")
        self.interval = float(found.group(1))

    def wait_time(self) -> float:
        # A browser's timer, give or take a second of page work and network.
        return random.uniform(self.interval - 1, self.interval + 1)

    @task(12)
    def heartbeat(self) -> None:
        course = PREPARED["course"]
        token = self.csrf_cookie()
        with self.client.post(
            f"/learn/{course}/heartbeat/",
            {"tab": f"t{id(self)}", "visible": "visible", "idle": "0", "lesson": "1"},
            headers={"X-CSRFToken": token, "Referer": self.host},
            name="heartbeat",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Accepted means credited: a JSON answer with the seat time so far.
            if response.status_code == 200 and b"active_seconds" in (
                response.content or b""
            ):
                COUNTS["heartbeats"] += 1
                response.success()
            else:
                response.failure(f"heartbeat {response.status_code}")

    @task(1)
    def answer_the_assessment(self) -> None:
        url = f"/learn/{PREPARED['course']}/assessment/"
        page = self.client.get(url, name="assessment", allow_redirects=False)
        found = ATTEMPT.search(page.text or "")
        if not found:
            return
        with self.client.post(
            url,
            {
                "attempt": found.group(1),
                "csrfmiddlewaretoken": self.csrf(page.text or ""),
            },
            headers={"Referer": self.host + url},
            name="assessment answer",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = (response.headers or {}).get("Location") or ""
            if response.status_code == 302 and "/attempts/" in location:
                COUNTS["attempts"] += 1
                response.success()
            else:
                response.failure(f"answer {response.status_code}")


class Coordinator(SignedIn):
    fixed_count = len(PREPARED["coordinators"])
    wait_time = between(3, 6)
    sessions = _coordinators
    start_page = f"/agencies/{PREPARED['agency']}/import/roster/"

    @task(4)
    def dashboard(self) -> None:
        self.client.get(
            f"/agencies/{PREPARED['agency']}/", name="dashboard", allow_redirects=False
        )

    @task(4)
    def person_page(self) -> None:
        pk = random.choice(PREPARED["people"])
        self.client.get(f"/people/{pk}/", name="person page", allow_redirects=False)

    @task(1)
    def roster_import(self) -> None:
        url = f"/agencies/{PREPARED['agency']}/import/roster/"
        page = self.client.get(url, name="import upload page")
        self.client.post(
            url,
            {"csrfmiddlewaretoken": self.csrf(page.text or "")},
            files={"file": ("roster.csv", ROSTER, "text/csv")},
            headers={"Referer": self.host + url},
            name="import upload",
        )


@events.quitting.add_listener
def write_counts(environment, **kwargs) -> None:
    path = os.environ.get("LOAD_COUNTS")
    if path:
        with open(path, "w") as out:
            json.dump(COUNTS, out)
