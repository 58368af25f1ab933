"""The API fuzzed with schemathesis from its own OpenAPI schema, against a real server on the
loopback interface backed by the test database.

Every operation of /api/schema/ gets the schema's edge cases and a bounded number of generated
requests, derandomised so that a run in CI is reproducible, sent with an administrator's token
and real identifiers in the path. No answer may be a server error, and every answer must be one
the schema documents: its status code, its content type and its body.

schemathesis runs as its command-line tool: its pytest loader for a schema that a fixture serves
(`schemathesis.pytest.from_fixture`) fails under pytest 9.2 (it reads `Item._nodeid`).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from tests.fuzz import identifiers

EXAMPLES_PER_OPERATION = 10
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]
# Signing in is locked out per username and address after a few wrong passwords (429), which
# generated passwords would trigger at once; tests/eisen cover the token endpoint.
NOT_FUZZED = ["/api/v1/auth/token/"]
METHODS = {"get", "post", "put", "patch", "delete"}

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the server runs in a thread beside the test and reads the rows the test wrote, "
    "which SQLite's in-memory test database cannot share; set DATABASE_URL to PostgreSQL",
)

#: The last run's report (schemathesis' JSON report), for the summary line (see conftest.py).
totals = {}


def operations(client) -> list[tuple[str, str]]:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in METHODS
    ]


def schemathesis_config(world: identifiers.World, labels: list[tuple[str, str]]) -> str:
    """The run's configuration file: each operation's real path parameters, and no cache of
    earlier runs' failures (replaying them would make a run depend on the ones before)."""
    sections = ["[cache]\nenabled = false\n"]
    for method, path in labels:
        parameters = world.path_parameters(path, method)
        if parameters:
            values = ", ".join(
                f"{name} = {json.dumps(value)}" for name, value in parameters.items()
            )
            sections.append(
                f"[[operations]]\ninclude-name = {json.dumps(f'{method} {path}')}\n"
                f"parameters = {{ {values} }}\n"
            )
    return "\n".join(sections)


def test_api_answers_as_its_schema_says(live_server, transactional_db, settings, client, tmp_path):
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]
    world = identifiers.build(Path(settings.MEDIA_ROOT))
    config = tmp_path / "schemathesis.toml"
    config.write_text(schemathesis_config(world, operations(client)))
    report = tmp_path / "report.json"
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            f"--config-file={config}",
            "run",
            f"{live_server.url}/api/schema/",
            *(f"--exclude-path={path}" for path in NOT_FUZZED),
            "--phases=examples,coverage,fuzzing",
            f"--checks={','.join(CHECKS)}",
            f"--max-examples={EXAMPLES_PER_OPERATION}",
            "--generation-deterministic",
            "--workers=1",
            "--suppress-health-check=all",
            "--request-timeout=30",
            # Django's threaded test server, on a busy machine, now and then drops a connection
            # before answering (seen once in ~12,000 requests); a retry tells that from a bug.
            "--request-retries=2",
            f"--header=Authorization: Token {world.tokens['administrator']}",
            "--report=json",
            f"--report-json-path={report}",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        cwd=tmp_path,
    )
    output = tmp_path / "schemathesis.txt"
    output.write_text(run.stdout + run.stderr)
    if report.exists():
        totals.update(json.loads(report.read_text()))
    assert run.returncode == 0, f"{run.stdout[-20000:]}{run.stderr[-5000:]}\nAll of it: {output}"


def summary_line() -> str:
    operations_, cases = totals["operations"], totals["test_cases"]
    return (
        f"API fuzzing: {operations_['tested']}/{operations_['total']} operations, "
        f"{cases['generated']:,} test cases, {cases['unique_failures']} failures, "
        f"{totals['running_time']:.0f} s"
    )
