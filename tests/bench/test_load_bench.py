"""Load: designers editing, course leads mapping and readers browsing at once, through gunicorn and
PostgreSQL on 127.0.0.1, driven by Locust headless (the people are in tests/bench/load/).

`make bench` runs this. It creates a database of its own, migrates it and loads the EISEN content, a
generated curriculum and the people (tests.bench.load.prepare); starts gunicorn on a free port
against it with the production settings over plain http; and runs Locust three times with the same
settings (USERS people spawned at once, RUN_SECONDS each, nobody waiting between requests):
- mixed: designers, course leads and readers working at once;
- framework page: everyone reading the EISEN framework page;
- trivial view: everyone asking /healthz, which runs one `SELECT 1`.
It prints requests/s, p50/p95/p99 and errors per role and in total, per request of the mixed run,
and the framework page's requests/s over the trivial view's. It asserts only that every role was
served and that no request failed; a failure is printed with the answer and the server's log.
It stops gunicorn and drops its database at the end, and skips when no PostgreSQL answers at
127.0.0.1:5432.
"""

import json
import math
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

from tests.bench.load import DESIGNERS, LEADS, READERS

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DATABASE = "eisen_load_bench"
WORKERS = 2
USERS = DESIGNERS + LEADS + READERS
SPAWN_RATE = USERS
RUN_SECONDS = 30
ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).parent / "load" / "locustfile.py"
RUNS = {
    "mixed": ("Designer", "Lead", "Reader"),
    "framework page": ("FrameworkPageOnly",),
    "trivial view": ("TrivialViewOnly",),
}
SERVER_LOG_LINES = 120
PREPARE = (
    "import sys, django; django.setup(); from tests.bench.load import prepare; prepare(sys.argv[1])"
)
# gunicorn's own entry point with the production settings, except that static files are named as
# in the test suite: the production manifest needs collectstatic, which compresses every file for a
# minute and a half, and the scenario asks for no static file.
SERVE = (
    "from django.conf import settings; from gunicorn.app.wsgiapp import run; "
    "settings.STORAGES = {**settings.STORAGES, 'staticfiles': "
    "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}; run()"
)


@dataclass(frozen=True)
class Database:
    url: str
    version: str


@dataclass(frozen=True)
class Server:
    url: str
    log: Path
    postgres: str


@dataclass(frozen=True)
class Figures:
    label: str
    requests: int
    per_second: float
    p50: float
    p95: float
    p99: float
    errors: int


@pytest.fixture
def database():
    where = f"{POSTGRES['host']}:{POSTGRES['port']}"
    try:
        admin = psycopg2.connect(dbname="postgres", connect_timeout=3, **POSTGRES)
    except psycopg2.OperationalError as error:
        pytest.skip(f"the load scenario needs PostgreSQL at {where}: {error}".strip())
    admin.autocommit = True
    name = sql.Identifier(DATABASE)
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    version = admin.server_version
    try:
        yield Database(
            f"postgres://{POSTGRES['user']}@{where}/{DATABASE}",
            f"{version // 10000}.{version % 100}",
        )
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.close()


@pytest.fixture
def environment(database, tmp_path):
    """The production settings over plain http, on the bench database.

    Without a broker: nothing in the scenario queues a task, and /healthz stays one query.
    """
    variables = {name: value for name, value in os.environ.items() if name != "CELERY_BROKER_URL"}
    variables.update(
        DATABASE_URL=database.url,
        DJANGO_SETTINGS_MODULE="eisen.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    return variables


@pytest.fixture
def scenario(environment, tmp_path):
    """The scenario file, and how long the database took to prepare."""
    path = tmp_path / "scenario.json"
    start = time.perf_counter()
    prepared = subprocess.run(
        [sys.executable, "-c", PREPARE, str(path)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert prepared.returncode == 0, f"Preparing the database failed:\n{prepared.stderr}"
    return path, time.perf_counter() - start


@pytest.fixture
def server(database, environment, scenario, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    log = tmp_path / "gunicorn.log"
    command = [
        sys.executable,
        "-c",
        SERVE,
        "eisen.wsgi:application",
        "--bind",
        url.removeprefix("http://"),
        "--workers",
        str(WORKERS),
    ]
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        wait_until_serving(url, process, log)
        yield Server(url, log, database.version)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn stopped:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer /healthz within a minute:\n{log.read_text()}")


def run_locust(name: str, classes: tuple, server: Server, scenario: Path, tmp_path) -> dict:
    results = tmp_path / f"{name.replace(' ', '-')}.json"
    command = [
        str(Path(sys.executable).parent / "locust"),
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(SPAWN_RATE),
        "--run-time",
        f"{RUN_SECONDS}s",
        "--host",
        server.url,
        "--scenario",
        str(scenario),
        "--results",
        str(results),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    run = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_SECONDS + 120
    )
    # Locust ends with 1 when a request failed, which the test reports from the results.
    unfinished = f"Locust did not finish the {name} run ({run.returncode}):\n{run.stderr}"
    assert run.returncode in (0, 1), unfinished
    assert results.exists(), unfinished
    outcome = json.loads(results.read_text())
    outcome["locust_cpu_bound"] = "CPU usage above 90%" in run.stderr
    return outcome


def percentile(ordered: list[float], share: int) -> float:
    """Nearest rank: the smallest time that `share` per cent of the requests took at most."""
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def figures(label: str, samples: list, seconds: float) -> Figures:
    times = sorted(sample[2] for sample in samples)
    return Figures(
        label,
        len(times),
        len(times) / seconds,
        percentile(times, 50),
        percentile(times, 95),
        percentile(times, 99),
        sum(1 for sample in samples if sample[3]),
    )


def grouped(samples: list, index: int) -> dict[str, list]:
    groups: dict[str, list] = {}
    for sample in samples:
        groups.setdefault(sample[index], []).append(sample)
    return groups


def test_load_mixed_work_and_framework_page_against_trivial_view(scenario, server, tmp_path):
    scenario_path, prepare_seconds = scenario
    results = {
        name: run_locust(name, classes, server, scenario_path, tmp_path)
        for name, classes in RUNS.items()
    }
    rows = []
    for name, result in results.items():
        roles = grouped(result["samples"], 0)
        rows += [(name, figures(role, items, result["seconds"])) for role, items in roles.items()]
        if len(roles) > 1:
            rows.append((name, figures("total", result["samples"], result["seconds"])))
    mixed = results["mixed"]
    per_request = [
        figures(request, items, mixed["seconds"])
        for request, items in sorted(grouped(mixed["samples"], 1).items())
    ]
    print_report(json.loads(scenario_path.read_text()), prepare_seconds, server, results, rows)
    print_figures("Mixed run, per request:", [("", row) for row in per_request])
    framework = next(f for run, f in rows if run == "framework page")
    trivial = next(f for run, f in rows if run == "trivial view")
    print(
        f"Framework page / trivial view, requests/s: {framework.per_second:.1f} / "
        f"{trivial.per_second:.1f} = {framework.per_second / trivial.per_second:.2f}"
    )

    served = {name: set(grouped(result["samples"], 0)) for name, result in results.items()}
    assert served == {
        "mixed": {"designer", "lead", "reader"},
        "framework page": {"framework page only"},
        "trivial view": {"trivial view only"},
    }
    failures = [
        f"{name}: {failure['count']} × {failure['role']} {failure['request']}: {failure['error']}"
        for name, result in results.items()
        for failure in result["failures"]
    ]
    assert not failures, "\n".join([*failures, server_log_excerpt(server.log)])


def server_log_excerpt(log: Path) -> str:
    """The server's first error with its traceback, or else the end of its log."""
    lines = log.read_text().splitlines()
    first = next(
        (number for number, line in enumerate(lines) if line.startswith("Internal Server Error")),
        None,
    )
    if first is None:
        return "\n".join(["gunicorn's log ends:", *lines[-SERVER_LOG_LINES:]])
    return "\n".join(["gunicorn's first error:", *lines[first : first + SERVER_LOG_LINES]])


def print_report(scenario: dict, prepare_seconds: float, server, results: dict, rows) -> None:
    size = scenario["size"]
    print()
    print(
        f"Load: gunicorn eisen.wsgi:application, {WORKERS} sync workers, PostgreSQL "
        f"{server.postgres} ({DATABASE}), Locust on the same {os.cpu_count()} CPUs"
    )
    print(
        f"Content: the EISEN framework ({size['eisen_capabilities']} capabilities) and a "
        f"curriculum of {size['capabilities']} capabilities × {size['courses']} courses, "
        f"{size['outcomes']} outcomes, {size['mappings']} mappings; prepared in "
        f"{prepare_seconds:.0f} s"
    )
    print(
        f"People: {DESIGNERS} designers, {LEADS} course leads, {READERS} readers in the mixed run; "
        f"{USERS} people spawned at {SPAWN_RATE}/s, {RUN_SECONDS} s per run, no wait between "
        "requests"
    )
    print_figures("Per role:", rows)
    for name, result in results.items():
        if result["locust_cpu_bound"]:
            print(f"  {name}: Locust warned that its own process used over 90% of a CPU")


def print_figures(title: str, rows: list) -> None:
    print(title)
    print(
        f"  {'run':<15}{'who / request':<44}{'requests':>9}{'req/s':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}"
    )
    for run, row in rows:
        print(
            f"  {run:<15}{row.label:<44}{row.requests:>9}{row.per_second:>8.1f}"
            f"{row.p50:>8.0f}{row.p95:>8.0f}{row.p99:>8.0f}{row.errors:>7}"
        )
