"""Fixtures of the export tests: the tests' own export kinds, and jobs in every state."""

import dataclasses
from pathlib import Path

import pytest

from eisen import export_kinds, exports
from tests.eisen.export_kind_fixtures import HANDOUT_KIND, MINUTES_KIND, ExportJobFactory


@pytest.fixture
def handout_kind(monkeypatch):
    """The registry holds only the tests' kinds, whatever the apps registered, and is restored."""
    monkeypatch.setattr(
        export_kinds, "_kinds", {HANDOUT_KIND.name: HANDOUT_KIND, MINUTES_KIND.name: MINUTES_KIND}
    )
    return HANDOUT_KIND


@pytest.fixture
def handout_built_with(monkeypatch, handout_kind):
    """Register the handout kind with another `build`, for the duration of the test."""

    def register(build) -> export_kinds.ExportKind:
        kind = dataclasses.replace(handout_kind, build=build)
        monkeypatch.setitem(export_kinds._kinds, kind.name, kind)
        return kind

    return register


@pytest.fixture
def exports_folder(settings) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


@pytest.fixture
def built_job(handout_kind, administrator):
    """A handout of two pages, built for real by the task body."""
    job = ExportJobFactory(
        requested_by=administrator,
        parameters={"title": "Board handout", "language": "en", "pages": 2},
        summary="Handout “Board handout”, 2 pages, in en",
    )
    exports.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == job.Status.READY, job.error
    return job
