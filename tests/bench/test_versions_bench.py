"""Publish, new version, compare and the editor page on frameworks of 10 and 2,000 capabilities.

`make bench` prints median times and query counts; it asserts only that compare and the editor
page run the same number of queries at both sizes.
"""

import statistics
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competencies.comparison import framework_compare
from competencies.services import versions
from eisen.roles import Role
from tests.bench.test_framework_bench import SIZES, build_framework
from tests.factories import UserFactory

RUNS = 5

pytestmark = pytest.mark.django_db


def timed(action):
    """(milliseconds, queries, result) of one call."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = action()
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, len(queries), result


def test_version_operations(tmp_path):
    designer = UserFactory(username="bench-designer", roles=[Role.CURRICULUM_DESIGNER])
    client = Client()
    client.force_login(designer)
    rows = []
    for size in SIZES:
        published = build_framework(size)
        figures = {"new version": [], "publish": [], "compare": [], "editor page": []}
        for run in range(RUNS):
            ms, queries, draft = timed(
                lambda run=run, published=published: versions.framework_new_version(
                    framework=published, version_label=f"2.{run}"
                )
            )
            figures["new version"].append((ms, queries))
            editor_url = reverse("competencies:framework_editor", args=[draft.uuid])
            ms, queries, response = timed(lambda url=editor_url: client.get(url))
            assert response.status_code == 200
            figures["editor page"].append((ms, queries))
            ms, queries, comparison = timed(
                lambda draft=draft, published=published: framework_compare(published, draft)
            )
            assert comparison["added"] == comparison["removed"] == []
            figures["compare"].append((ms, queries))
            ms, queries, _ = timed(lambda draft=draft: versions.framework_publish(framework=draft))
            figures["publish"].append((ms, queries))
        for operation, samples in figures.items():
            rows.append(
                (
                    operation,
                    size,
                    statistics.median(ms for ms, _ in samples),
                    max(queries for _, queries in samples),
                )
            )

    print()
    print(f"Database: {connection.vendor}; median of {RUNS} runs")
    print(f"{'operation':<14}{'N':>6}{'median ms':>12}{'queries':>9}")
    for operation, size, ms, queries in sorted(rows):
        print(f"{operation:<14}{size:>6}{ms:>12.1f}{queries:>9}")
    for operation in ("compare", "editor page"):
        counts = {queries for name, _, _, queries in rows if name == operation}
        assert len(counts) == 1, f"{operation} queries grow with the framework: {counts}"
