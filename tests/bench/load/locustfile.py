"""The people of the load scenario run by tests/bench/test_load_bench.py, for Locust.

The mixed run puts three kinds of people to work at once:
- designers read a capability of the draft framework through the API and save an edit of it with
  If-Match (the ETag they read), and now and then list the draft's capabilities;
- course leads map an outcome of their own courses to a capability (POST), remove their oldest
  mapping once they hold several (DELETE), and read their courses' mappings;
- readers, signed in by session, browse the coverage page and the framework pages.
Two more kinds each ask for one page only, so that the framework page can be compared with a
trivial view under the same server and the same Locust settings.

Accounts and work come from the scenario file named by --scenario (tests.bench.load.prepare).
Nobody waits between requests. A request fails unless it gets exactly the status expected and
redirects are not followed, so a session that stopped working cannot pass for a page. Every
request is written to the file named by --results, with the role of who sent it, for the test to
compute figures per role from.
"""

import json
import random
import time
from collections import Counter
from pathlib import Path

from locust import FastHttpUser, constant, events, task

# Scenario file contents, and the accounts not yet taken by a simulated person.
scenario: dict = {}
unclaimed: dict[str, list] = {}
samples: list[tuple[str, str, float, bool]] = []
failures: Counter = Counter()
clock: dict[str, float] = {}
MAPPINGS_HELD = 8
REASON_LENGTH = 300


@events.init_command_line_parser.add_listener
def _arguments(parser):
    parser.add_argument("--scenario", default="", help="Scenario JSON from tests.bench.load")
    parser.add_argument("--results", default="", help="Where to write every request's timing")


@events.init.add_listener
def _read_scenario(environment, **kwargs):
    scenario.update(json.loads(Path(environment.parsed_options.scenario).read_text("utf-8")))
    for role in ("designers", "leads", "readers"):
        unclaimed[role] = list(scenario[role])
    Designer.fixed_count = len(scenario["designers"])
    Lead.fixed_count = len(scenario["leads"])
    Reader.fixed_count = len(scenario["readers"])


@events.request.add_listener
def _record(request_type, name, response_time, exception, context, **kwargs):
    role = context.get("role", "unknown")
    request = f"{request_type} {name}"
    samples.append((role, request, response_time, exception is not None))
    if exception is not None:
        failures[(role, request, str(exception))] += 1


@events.test_start.add_listener
def _started(**kwargs):
    clock["started"] = time.time()


@events.test_stop.add_listener
def _stopped(**kwargs):
    clock["stopped"] = time.time()


@events.quitting.add_listener
def _write_results(environment, **kwargs):
    results = {
        "seconds": clock["stopped"] - clock["started"],
        "samples": samples,
        "failures": [
            {"role": role, "request": request, "error": error, "count": count}
            for (role, request, error), count in failures.items()
        ],
    }
    Path(environment.parsed_options.results).write_text(json.dumps(results), encoding="utf-8")


def expect(response, status: int) -> bool:
    if response.status_code == status:
        response.success()
        return True
    body = (response.text or "")[:REASON_LENGTH] if response.status_code else response.error
    response.failure(f"answered {response.status_code} instead of {status}: {body!r}")
    return False


class Person(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    role = ""

    def context(self):
        return {"role": self.role}

    def call(self, method, url, status, *, name=None, headers=None, json=None):
        """The request, checked against the expected status; the response, or None if it failed."""
        with self.client.request(
            method,
            url,
            name=name or url,
            headers={**self.headers, **(headers or {})},
            json=json,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            return response if expect(response, status) else None


class ApiPerson(Person):
    abstract = True
    account_role = ""

    def on_start(self):
        self.account = unclaimed[self.account_role].pop()
        self.headers = {"Authorization": f"Token {self.account['token']}"}


class Designer(ApiPerson):
    role = "designer"
    account_role = "designers"

    def on_start(self):
        super().on_start()
        self.edits = 0

    @task(4)
    def edit_capability(self):
        url = f"/api/v1/capabilities/{random.choice(self.account['capabilities'])}/"
        name = "/api/v1/capabilities/[id]/"
        read = self.call("GET", url, 200, name=name)
        if read is None:
            return
        self.edits += 1
        self.call(
            "PATCH",
            url,
            200,
            name=name,
            headers={"If-Match": read.headers["ETag"]},
            json={"description": f"Revised under load, edit {self.edits}: {read.json()['title']}"},
        )

    @task(1)
    def list_draft(self):
        self.call(
            "GET",
            scenario["pages"]["draft_capabilities"],
            200,
            name="/api/v1/capabilities/?framework=[id]",
        )


class Lead(ApiPerson):
    role = "lead"
    account_role = "leads"

    def on_start(self):
        super().on_start()
        self.free = [tuple(pair) for pair in self.account["free_pairs"]]
        random.shuffle(self.free)
        self.held: list[tuple[int, tuple]] = []

    @task(4)
    def map_or_unmap(self):
        if len(self.held) >= MAPPINGS_HELD or not self.free:
            mapping_id, pair = self.held.pop(0)
            deleted = self.call(
                "DELETE", f"/api/v1/mappings/{mapping_id}/", 204, name="/api/v1/mappings/[id]/"
            )
            if deleted is not None:
                self.free.append(pair)
            return
        pair = self.free.pop()
        outcome, capability = pair
        created = self.call(
            "POST",
            "/api/v1/mappings/",
            201,
            json={"outcome": outcome, "capability": capability, "emphasis": random.choice("IRM")},
        )
        if created is not None:
            self.held.append((created.json()["id"], pair))

    @task(1)
    def read_mappings(self):
        course = random.choice(self.account["courses"])
        self.call(
            "GET", f"/api/v1/mappings/?course={course}", 200, name="/api/v1/mappings/?course=[id]"
        )


class SessionPerson(Person):
    abstract = True
    # A reader of the mixed run signs in with an account of their own; the one-page people share
    # the readers' sessions.
    claims_account = False

    def on_start(self):
        if self.claims_account:
            account = unclaimed["readers"].pop()
        else:
            account = random.choice(scenario["readers"])
        self.headers = {"Cookie": f"{scenario['session_cookie']}={account['session']}"}


class Reader(SessionPerson):
    role = "reader"
    claims_account = True

    @task(2)
    def coverage(self):
        self.call("GET", scenario["pages"]["coverage"], 200, name="/coverage/?framework=[id]")

    @task(2)
    def eisen_framework(self):
        self.call("GET", scenario["pages"]["eisen_framework"], 200, name="EISEN framework page")

    @task(1)
    def generated_framework(self):
        self.call(
            "GET", scenario["pages"]["generated_framework"], 200, name="generated framework page"
        )


class FrameworkPageOnly(SessionPerson):
    role = "framework page only"

    @task
    def eisen_framework(self):
        self.call("GET", scenario["pages"]["eisen_framework"], 200, name="EISEN framework page")


class TrivialViewOnly(SessionPerson):
    role = "trivial view only"

    @task
    def trivial(self):
        self.call("GET", scenario["pages"]["trivial"], 200)
