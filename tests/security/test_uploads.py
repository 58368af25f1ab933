"""Every upload refuses files over its limit, with another extension, or whose content is not what
the extension says, naming the field, the limit and what is accepted; huge bodies get a 413."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from competencies.models import Framework
from evaluation.models import Transcript
from tests.evaluation.factories import FocusGroupFactory, ParticipantFactory
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "/frameworks/import/"
FRAMEWORK_API = "/api/v1/frameworks/import/"
TRANSCRIPT_API = "/api/v1/evaluation/transcripts/"


def workbook_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


FRAMEWORK_REFUSALS = {
    "wrong extension": ("framework.pdf", b"%PDF-1.7", "is not a .csv, .json or .xlsx file"),
    "xlsx not a zip": ("framework.xlsx", b"code,title\n", "it is not a ZIP archive"),
    "json not json": ("framework.json", b'{"CFDocument": ', "it is not valid JSON"),
    "json not utf-8": ("framework.json", '{"t": "gøy"}'.encode("latin-1"), "not UTF-8 text"),
    "csv binary": ("framework.csv", b"K1,\x00\x01\x02", "is a NUL byte"),
}


@pytest.mark.parametrize("case", FRAMEWORK_REFUSALS)
def test_the_framework_import_page_refuses_what_is_not_a_framework_file(designer_client, case):
    name, content, expected = FRAMEWORK_REFUSALS[case]
    response = designer_client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    error = response.context["form"].errors["file"][0]
    assert error.startswith("File: ")
    assert expected in error
    assert not Framework.objects.exists()


def test_an_oversized_framework_file_is_refused_naming_the_limit(designer_client, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1))
    response = designer_client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "File: big.csv is 1.1 MB; the limit is 1 MB."
    ]


@pytest.mark.parametrize("case", FRAMEWORK_REFUSALS)
def test_the_framework_import_api_refuses_the_same_files(designer, case):
    name, content, expected = FRAMEWORK_REFUSALS[case]
    api = APIClient()
    api.force_authenticate(designer)
    response = api.post(
        FRAMEWORK_API, {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 400
    assert expected in response.json()["file"][0]
    assert not Framework.objects.exists()


def test_a_zip_named_xlsx_reaches_the_workbook_reader(designer_client):
    upload = SimpleUploadedFile("framework.xlsx", workbook_bytes())
    response = designer_client.post(IMPORT_URL, {"file": upload})
    error = response.context["form"].errors["file"][0]
    assert "not a ZIP archive" not in error
    assert "framework.xlsx" in error


@pytest.fixture
def focus_group():
    course = CourseFactory(code="IMP801")
    ParticipantFactory(course=course, pseudonym="S01")
    return FocusGroupFactory(course=course)


TRANSCRIPT_REFUSALS = {
    "wrong extension": ("notes.docx", b"PK\x03\x04", "notes.docx is not a .txt or .vtt file."),
    "binary renamed": ("notes.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text"),
    "nul bytes": ("notes.vtt", b"WEBVTT\n\x00\x00", "is a NUL byte"),
}


@pytest.mark.parametrize("case", TRANSCRIPT_REFUSALS)
def test_the_transcript_page_refuses_what_is_not_a_transcript(evaluator, focus_group, case):
    name, content, expected = TRANSCRIPT_REFUSALS[case]
    client = Client()
    client.force_login(evaluator)
    url = reverse("evaluation:transcript_create", args=[focus_group.uuid])
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    errors = response.context["form"].errors
    assert errors["file"][0].startswith("Transcript file: ")
    assert expected in errors["file"][0]
    assert "__all__" not in errors
    assert not Transcript.objects.exists()


def test_the_transcript_limit_is_named(evaluator, focus_group):
    client = Client()
    client.force_login(evaluator)
    url = reverse("evaluation:transcript_create", args=[focus_group.uuid])
    upload = SimpleUploadedFile("long.txt", b"S01: " + b"a" * (5 * 1024 * 1024))
    response = client.post(url, {"file": upload})
    assert response.context["form"].errors["file"] == [
        "Transcript file: long.txt is 5.1 MB; the limit is 5 MB."
    ]


@pytest.mark.parametrize("case", TRANSCRIPT_REFUSALS)
def test_the_transcript_api_refuses_the_same_files(evaluator, focus_group, case):
    name, content, expected = TRANSCRIPT_REFUSALS[case]
    api = APIClient()
    api.force_authenticate(evaluator)
    response = api.post(
        TRANSCRIPT_API,
        {"focus_group": str(focus_group.uuid), "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert expected in response.json()["file"][0]


def test_a_utf16_transcript_with_its_mark_is_still_accepted(evaluator, focus_group):
    api = APIClient()
    api.force_authenticate(evaluator)
    content = "S01: Det var gøy.\n".encode("utf-16")
    response = api.post(
        TRANSCRIPT_API,
        {"focus_group": str(focus_group.uuid), "file": SimpleUploadedFile("s.txt", content)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()


def test_a_body_larger_than_any_upload_is_refused_with_413_before_it_is_read(designer_client):
    response = designer_client.post(
        IMPORT_URL,
        data=b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "this site accepts at most 11 MB" in response.content.decode()


def test_a_json_body_over_the_memory_limit_is_refused_with_413(evaluator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    api = APIClient()
    api.force_authenticate(evaluator)
    response = api.post(TRANSCRIPT_API, {"text": "S01: " + "a" * 2000}, format="json")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request is ")
