"""`manage.py backup` and `manage.py restore`: everything back, or nothing written.

The round trip backs up this test's database and MEDIA_ROOT, restores the archive in another
process into an empty database (PostgreSQL: a second database made here; SQLite: a new file) and
an empty media folder, and reads the API there: the answers and the PDF must be the same.
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from eisen import backup, restore
from eisen.exports import start_export
from eisen.models import ExportJob
from tests.evaluation.factories import FocusGroupFactory
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    DomainFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
    LevelDescriptorFactory,
    OutcomeMappingFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

#: Restores the archive (argv[1]), then reads each path (argv[3:]) with the token (argv[2]).
RESTORE_AND_READ = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eisen.settings")
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
from tests.eisen.test_backup_restore import read_answers
call_command("restore", sys.argv[1])
setup_test_environment()
print(json.dumps(read_answers(Client(HTTP_AUTHORIZATION="Token " + sys.argv[2]), sys.argv[3:])))
"""


@pytest.fixture
def everything(administrator):
    """A framework with capabilities, courses with outcomes and mappings, a focus group, and a
    ready curriculum export with its PDF in MEDIA_ROOT; the API paths that show them."""
    framework = FrameworkFactory(title="EISEN Competency Framework", slug="eisen")
    knowledge = DomainFactory(framework=framework, code="K", name="Knowledge", position=0)
    skills = DomainFactory(framework=framework, code="S", name="Skills", position=1)
    capabilities = [
        CapabilityFactory(domain=domain, code=f"{domain.code}{n}", position=n, title=f"Å {n}")
        for domain in (knowledge, skills)
        for n in (1, 2, 3)
    ]
    LevelDescriptorFactory(capability=capabilities[0], text="Compares paradigms.")
    programme = ProgrammeFactory(name="MSc Implementation Science")
    lead = UserFactory(username="ingrid", first_name="Ingrid", last_name="Løvås")
    courses = [
        CourseFactory(
            code=f"IMP10{semester}",
            semester=semester,
            framework=framework,
            programme=programme,
            institution=programme.institution,
            leads=[lead],
        )
        for semester in (1, 2)
    ]
    for number, course in enumerate(courses):
        outcome = LearningOutcomeFactory(course=course, code="LO1", position=0)
        for capability, emphasis in zip(capabilities[number::2], "IRM", strict=False):
            OutcomeMappingFactory(outcome=outcome, capability=capability, emphasis=emphasis)
    FocusGroupFactory(course=courses[1], title="End of course, cohort 2026")
    job = start_export(
        "curriculum",
        {"framework": str(framework.uuid), "course": [str(c.uuid) for c in courses]},
        administrator,
    )
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY, job.error
    by_framework = f"framework={framework.uuid}"
    return {
        "framework": framework,
        "courses": courses,
        "job": job,
        "paths": [
            "/api/v1/frameworks/",
            f"/api/v1/frameworks/{framework.uuid}/",
            f"/api/v1/capabilities/?{by_framework}",
            "/api/v1/courses/",
            f"/api/v1/outcomes/?course={courses[0].uuid}",
            f"/api/v1/mappings/?course={courses[1].uuid}",
            f"/api/v1/coverage/?{by_framework}",
            f"/api/v1/coverage/gaps/?{by_framework}",
            "/api/v1/exports/",
            "/api/v1/evaluation/focus-groups/",
            f"/api/v1/exports/{job.uuid}/download/",
        ],
    }


def read_answers(client, paths: list[str]) -> dict:
    """Each path's status and JSON body (a download's SHA-256), as `client` reads them."""
    answers = {}
    for path in paths:
        response = client.get(path)
        if path.endswith("/download/"):
            body = hashlib.sha256(b"".join(response.streaming_content)).hexdigest()
        else:
            body = response.json()
        answers[path] = [response.status_code, body]
    return answers


@pytest.fixture
def empty_database(tmp_path):
    """The DATABASE_URL of a new, empty database, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    database = connection.settings_dict
    name = f"{database['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    yield (
        f"postgres://{quote(database['USER'], safe='')}{password}"
        f"@{quote(database['HOST'], safe='')}:{database['PORT'] or 5432}/{name}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore_elsewhere(archive: Path, database_url: str, media: Path, token: str, paths):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "DJANGO_HTTPS": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", RESTORE_AND_READ, str(archive), token, *paths],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


# pg_dump reads through a connection of its own, so the data must be committed.
@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database_gives_the_same_api_answers_and_pdf(
    everything, administrator, empty_database, tmp_path
):
    token = Token.objects.create(user=administrator).key
    before = read_answers(Client(HTTP_AUTHORIZATION=f"Token {token}"), everything["paths"])
    assert all(status == 200 for status, _body in before.values()), before
    archive = tmp_path / "eisen.tar.gz"
    call_command("backup", out=str(archive), stdout=io.StringIO())
    restored_media = tmp_path / "restored-media"

    after = _restore_elsewhere(archive, empty_database, restored_media, token, everything["paths"])

    assert after == before
    counts = {path: body["count"] for path, (_status, body) in before.items() if "count" in body}
    assert counts == {
        "/api/v1/frameworks/": 1,
        f"/api/v1/capabilities/?framework={everything['framework'].uuid}": 6,
        "/api/v1/courses/": 2,
        f"/api/v1/outcomes/?course={everything['courses'][0].uuid}": 1,
        f"/api/v1/mappings/?course={everything['courses'][1].uuid}": 3,
        "/api/v1/exports/": 1,
        "/api/v1/evaluation/focus-groups/": 1,
    }
    pdf = f"exports/{everything['job'].uuid}.pdf"
    original = (Path(settings.MEDIA_ROOT) / pdf).read_bytes()
    assert original.startswith(b"%PDF-")
    assert (restored_media / pdf).read_bytes() == original


# Refusals: each leaves the database and MEDIA_ROOT as they were, and no staging folder behind.


@pytest.fixture
def media_file(settings) -> Path:
    path = Path(settings.MEDIA_ROOT) / "exports" / "board-handout.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-1.7 the board's handout")
    return path


@pytest.fixture
def archive(tmp_path, media_file) -> Path:
    """An archive of the test database and of a MEDIA_ROOT holding `media_file`."""
    path = tmp_path / "archives" / "eisen.tar.gz"
    path.parent.mkdir()
    call_command("backup", out=str(path), stdout=io.StringIO())
    return path


@pytest.fixture
def staging_folder(tmp_path, monkeypatch) -> Path:
    """The folder where restore unpacks archives, to see that nothing is left there."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def empty_media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    return settings.MEDIA_ROOT


def _rewritten(archive: Path, *, manifest=None, members=None) -> Path:
    """A copy of `archive` whose manifest and member bytes are changed by the given functions."""
    copy = archive.with_name("changed.tar.gz")
    with tarfile.open(archive, "r:gz") as source, tarfile.open(copy, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json" and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif members:
                data = members(member.name, data)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return copy


def _refusal(archive: Path) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), stdout=io.StringIO())
    return str(refused.value)


def _files_in(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_backup_holds_manifest_database_and_media_with_their_checksums(archive, media_file):
    (media_file.parent / "in-progress.pdf.part").write_bytes(b"half a PDF")

    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        digests = {
            member.name: hashlib.sha256(tar.extractfile(member).read()).hexdigest()
            for member in members[1:]
        }

    assert [member.name for member in members] == [
        "manifest.json",
        f"database/eisen.{'pgdump' if connection.vendor == 'postgresql' else 'sqlite3'}",
        "media/exports/board-handout.pdf",
    ]
    assert {member.mode for member in members} == {0o600}
    assert oct(archive.stat().st_mode & 0o777) == oct(0o600)
    assert {entry["path"]: entry["sha256"] for entry in manifest["files"]} == digests
    assert manifest["format"] == "eisen-backup"
    assert manifest["database"]["vendor"] == connection.vendor
    assert "0002_export_job" in manifest["migrations"]["eisen"]


def test_backup_does_not_overwrite_an_archive(archive):
    written = archive.read_bytes()

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", out=str(archive), stdout=io.StringIO())

    assert archive.read_bytes() == written
    assert _files_in(archive.parent) == [archive.name]


def test_backup_is_not_written_into_media_root(settings, media_file):
    inside = Path(settings.MEDIA_ROOT) / "eisen.tar.gz"

    with pytest.raises(CommandError, match="outside MEDIA_ROOT"):
        call_command("backup", out=str(inside), stdout=io.StringIO())

    assert _files_in(Path(settings.MEDIA_ROOT)) == ["exports", "exports/board-handout.pdf"]


def test_a_corrupt_archive_is_refused_before_anything_is_written(
    archive, empty_media, staging_folder
):
    corrupt = _rewritten(
        archive,
        members=lambda name, data: data.replace(b"board", b"BOARD") if "media/" in name else data,
    )

    message = _refusal(corrupt)

    assert "is corrupt" in message
    assert "media/exports/board-handout.pdf" in message
    assert not empty_media.exists()
    assert _files_in(staging_folder) == []


def test_a_truncated_archive_is_refused(archive, empty_media, staging_folder):
    truncated = archive.with_name("truncated.tar.gz")
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    assert "is damaged" in _refusal(truncated)
    assert not empty_media.exists()
    assert _files_in(staging_folder) == []


def test_a_tar_without_a_manifest_is_refused_as_foreign(tmp_path, media_file, empty_media):
    foreign = tmp_path / "photos.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        tar.add(media_file, arcname="exports/board-handout.pdf")

    assert "is not an EISEN backup this code can read: it does not begin with manifest.json" in (
        _refusal(foreign)
    )
    assert not empty_media.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: {**m, "format": "other-tool"}, "does not name the format “eisen-backup”"),
        (lambda m: {**m, "format_version": 2}, "format version 2; this code reads version 1"),
        (
            lambda m: {**m, "files": [*m["files"], {**m["files"][-1], "path": "media/../../x"}]},
            "unsafe or repeated path: 'media/../../x'",
        ),
        (lambda m: {k: v for k, v in m.items() if k != "migrations"}, "lacks a field"),
    ],
    ids=["format", "version", "path", "field"],
)
def test_a_manifest_this_code_cannot_read_is_refused(archive, empty_media, change, expected):
    assert expected in _refusal(_rewritten(archive, manifest=change))
    assert not empty_media.exists()


def test_an_archive_from_newer_migrations_is_refused(archive, empty_media):
    def from_the_future(manifest):
        manifest["migrations"]["eisen"].append("0099_from_the_future")
        return manifest

    message = _refusal(_rewritten(archive, manifest=from_the_future))

    assert "comes from newer code" in message
    assert "eisen.0099_from_the_future" in message
    assert not empty_media.exists()


def test_a_database_with_tables_is_refused_by_name(archive, empty_media, staging_folder):
    message = _refusal(archive)

    assert f"The database “{connection.settings_dict['NAME']}”" in message
    assert "is not empty" in message
    assert not empty_media.exists()
    assert _files_in(staging_folder) == []


def test_a_file_already_in_media_root_is_not_overwritten(archive, media_file):
    media_file.write_bytes(b"%PDF-1.7 a newer handout")

    message = _refusal(archive)

    assert "already has exports/board-handout.pdf" in message
    assert media_file.read_bytes() == b"%PDF-1.7 a newer handout"


def test_media_copied_before_a_failed_database_load_are_removed(archive, empty_media, monkeypatch):
    empty_media.mkdir()
    monkeypatch.setattr(restore, "_check_database_empty", lambda: None)

    def fails(vendor, dump):
        assert _files_in(empty_media) == ["exports", "exports/board-handout.pdf"]
        raise backup.BackupError("pg_restore failed: the disk is full")

    monkeypatch.setattr(restore, "_load_database", fails)

    assert _refusal(archive) == "pg_restore failed: the disk is full"
    assert _files_in(empty_media) == []
