"""Import and download of framework files through the pages, the API and the commands."""

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from competencies.interchange.workbook import framework_workbook
from competencies.models import Capability, Framework, FrameworkImport
from competencies.services import editing, versions
from tests.factories import FrameworkFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
ORDERING = DATA / "opensalt_case-v1p0_ACT-Holistic-Math_Ordering.json"
SAMPLE = DATA / "opensalt_case_sample-framework_20c5134f.json"
IMPORT_URL = "/frameworks/import/"


def _counts():
    return Framework.objects.count(), Capability.objects.count(), FrameworkImport.objects.count()


def _upload(path: Path, content: bytes | None = None):
    return SimpleUploadedFile(path.name, path.read_bytes() if content is None else content)


def test_framework_page_offers_every_download(client, eisen_framework):
    page = client.get(eisen_framework.get_absolute_url()).content.decode()
    for kind in ("case-1.0", "case-1.1", "moodle", "workbook"):
        assert reverse("competencies:framework_download", args=[eisen_framework.uuid, kind]) in (
            page
        )


@pytest.mark.parametrize(
    ("kind", "content_type", "starts"),
    [
        ("case-1.0", "application/json", b"{"),
        ("case-1.1", "application/json", b"{"),
        ("moodle", "text/csv; charset=utf-8", b"Parent ID number"),
        ("workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
    ],
)
def test_downloads_are_attachments_of_their_type(
    client, eisen_framework, kind, content_type, starts, django_assert_max_num_queries
):
    url = reverse("competencies:framework_download", args=[eisen_framework.uuid, kind])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response["Content-Type"] == content_type
    extension = {"moodle": "csv", "workbook": "xlsx"}.get(kind, "json")
    assert response["Content-Disposition"] == (
        f'attachment; filename="eisen-competency-framework-1.0-{kind}.{extension}"'
    )
    assert response.content.lstrip(b"\xef\xbb\xbf").startswith(starts)


def test_unknown_download_kinds_are_404_and_drafts_refused_to_readers(client, plain_client):
    draft = FrameworkFactory(draft=True)
    assert client.get(f"/frameworks/{draft.uuid}/download/pdf/").status_code == 404
    download = f"/frameworks/{draft.uuid}/download/case-1.0/"
    anonymous = client.get(download)
    assert anonymous["Location"] == f"/accounts/login/?next={download}"
    assert plain_client.get(download).status_code == 403


def test_blank_workbook_template_downloads(client):
    response = client.get(reverse("competencies:workbook_template"))
    assert response.status_code == 200
    assert response.content.startswith(b"PK")


@pytest.mark.parametrize("role_client", ["plain_user", "course_lead", "evaluator"], indirect=True)
def test_only_designers_and_administrators_import(role_client):
    before = _counts()
    assert role_client.get(IMPORT_URL).status_code == 403
    assert role_client.post(IMPORT_URL, {"file": _upload(ORDERING)}).status_code == 403
    assert _counts() == before


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_designer_imports_a_case_file_and_reads_the_report(designer_client):
    response = designer_client.post(IMPORT_URL, {"file": _upload(SAMPLE)})
    record = FrameworkImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "competencies:framework_import_report", args=[record.uuid]
    )
    assert record.file_format == FrameworkImport.Format.CASE
    assert record.imported_by.username == "designer"

    page = designer_client.get(response["Location"]).content.decode()
    assert "What Standards Could Be" in page
    assert "$.CFItems: educationalLevel (on 16 items) is not kept" in page
    assert record.framework.get_absolute_url() in page


def test_a_clean_file_reports_that_everything_was_taken(designer_client):
    response = designer_client.post(IMPORT_URL, {"file": _upload(ORDERING)}, follow=True)
    assert b'data-testid="import-report-empty"' in response.content


def test_a_truncated_file_is_refused_on_the_page_and_nothing_is_written(designer_client):
    before = _counts()
    content = ORDERING.read_bytes()[:5000]
    response = designer_client.post(IMPORT_URL, {"file": _upload(ORDERING, content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing has been changed" in page
    assert "is the file complete?" in page
    assert _counts() == before


def test_a_file_over_the_limit_is_refused_with_the_limit(designer_client, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    before = _counts()
    response = designer_client.post(
        IMPORT_URL, {"file": _upload(ORDERING, b" " * (1024 * 1024 + 1))}
    )
    assert response.status_code == 400
    assert "the limit is 1 MB" in response.content.decode()
    assert _counts() == before


def test_an_uploaded_file_is_never_rendered_as_html(designer_client):
    package = json.loads(ORDERING.read_bytes())
    package["CFDocument"]["title"] = "<script>alert(1)</script>"
    package["CFItems"][0]["surprise<img src=x>"] = 1
    response = designer_client.post(
        IMPORT_URL, {"file": _upload(ORDERING, json.dumps(package).encode())}, follow=True
    )
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x>" not in page


@pytest.fixture
def api(designer):
    client = APIClient()
    client.force_authenticate(designer)
    return client


def test_api_imports_a_file_and_answers_with_the_report(api):
    response = api.post("/api/v1/frameworks/import/", {"file": _upload(SAMPLE)}, format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert body["file_format"] == "case"
    assert body["summary"]["capabilities"] == 14
    assert {"where": "$.CFItems", "message": "educationalLevel (on 16 items) is not kept"} in body[
        "report"
    ]
    framework = api.get(f"/api/v1/frameworks/{body['framework']}/").json()
    assert framework["status"] == "draft"
    record = api.get(f"/api/v1/framework-imports/{body['id']}/").json()
    assert record["source_name"] == SAMPLE.name


def test_api_refuses_a_bad_file_naming_the_place_and_writes_nothing(api):
    before = _counts()
    package = json.loads(ORDERING.read_bytes())
    package["CFItems"][3]["identifier"] = package["CFItems"][1]["identifier"]
    response = api.post(
        "/api/v1/frameworks/import/",
        {"file": _upload(ORDERING, json.dumps(package).encode())},
        format="multipart",
    )
    assert response.status_code == 400
    [problem] = response.json()["file"]
    assert problem.startswith("$.CFItems[3].identifier:")
    assert _counts() == before


@pytest.mark.parametrize("persona", ["plain_user", "course_lead", "evaluator", None])
def test_api_import_is_for_designers_only(request, persona):
    client = APIClient()
    if persona:
        client.force_authenticate(request.getfixturevalue(persona))
    before = _counts()
    response = client.post(
        "/api/v1/frameworks/import/", {"file": _upload(ORDERING)}, format="multipart"
    )
    assert response.status_code == 403
    assert client.get("/api/v1/framework-imports/").status_code == 403
    assert _counts() == before


def test_api_exports_every_kind(client, eisen_framework):
    base = f"/api/v1/frameworks/{eisen_framework.uuid}/export"
    package = client.get(f"{base}/case-1.1/").json()
    assert package["CFDocument"]["title"] == "EISEN Competency Framework"
    assert client.get(f"{base}/moodle/").content.startswith(b"Parent ID number")
    assert client.get(f"{base}/nothing/").status_code == 404


def test_import_case_command_prints_the_report_and_refuses_bad_files(tmp_path):
    out = io.StringIO()
    call_command("import_case", str(SAMPLE), stdout=out)
    assert "Imported What Standards Could Be 1.0" in out.getvalue()
    assert "not taken: $.CFItems: educationalLevel (on 16 items) is not kept" in out.getvalue()

    broken = tmp_path / "broken.json"
    broken.write_bytes(ORDERING.read_bytes()[:100])
    before = _counts()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_case", str(broken))
    assert _counts() == before


def test_export_case_command_writes_a_package(tmp_path, eisen_framework):
    target = tmp_path / "eisen.json"
    call_command(
        "export_case", "eisen-competency-framework", "--kind", "case-1.1", "--out", str(target)
    )
    assert len(json.loads(target.read_bytes())["CFItems"]) == 18
    out = io.StringIO()
    call_command("export_framework", str(eisen_framework.uuid), "--kind", "moodle", stdout=out)
    assert out.getvalue().startswith("Parent ID number")
    with pytest.raises(CommandError, match="--out"):
        call_command("export_framework", "eisen-competency-framework", "--kind", "workbook")


def _draft_of_eisen(eisen_framework):
    return versions.framework_copy(source=eisen_framework, slug="eisen-draft", title="EISEN draft")


def _workbook_with_title(framework, code: str, title: str) -> bytes:
    workbook = load_workbook(io.BytesIO(framework_workbook(framework)))
    items = workbook["Items"]
    headers = [cell.value for cell in items[1]]
    for row in items.iter_rows(min_row=2):
        if row[headers.index("code")].value == code:
            row[headers.index("title")].value = title
    edited = io.BytesIO()
    workbook.save(edited)
    return edited.getvalue()


def _preview(client, draft, content: bytes):
    url = reverse("competencies:framework_update_upload", args=[draft.uuid])
    return client.post(url, {"file": SimpleUploadedFile("draft.xlsx", content)})


def test_designer_previews_a_workbook_then_applies_exactly_that(designer_client, eisen_framework):
    draft = _draft_of_eisen(eisen_framework)
    response = _preview(designer_client, draft, _workbook_with_title(draft, "K1", "Paradigms"))
    record = FrameworkImport.objects.get(action=FrameworkImport.Action.UPDATE)
    assert response["Location"] == reverse(
        "competencies:framework_import_report", args=[record.uuid]
    )
    page = designer_client.get(response["Location"]).content.decode()
    assert 'data-testid="plan-changed"' in page
    assert "Paradigms" in page
    assert 'data-testid="plan-added"' not in page
    assert draft.capabilities.get(code="K1").title != "Paradigms"  # nothing applied yet

    apply_url = reverse("competencies:framework_update_apply", args=[record.uuid])
    applied = designer_client.post(apply_url, follow=True)
    assert "were applied" in applied.content.decode()
    assert draft.capabilities.get(code="K1").title == "Paradigms"
    record.refresh_from_db()
    assert (record.status, record.pending_file, record.summary["changed"]) == ("applied", None, 1)
    assert designer_client.post(apply_url).status_code == 409


def test_an_edit_after_the_preview_stops_the_update(designer_client, eisen_framework):
    draft = _draft_of_eisen(eisen_framework)
    _preview(designer_client, draft, _workbook_with_title(draft, "K1", "Paradigms"))
    record = FrameworkImport.objects.get(action=FrameworkImport.Action.UPDATE)
    k2 = draft.capabilities.get(code="K2")
    editing.capability_update(
        capability=k2, expected_revision=k2.revision, description="Edited meanwhile."
    )

    response = designer_client.post(
        reverse("competencies:framework_update_apply", args=[record.uuid]), follow=True
    )
    assert "changed after this preview" in response.content.decode()
    assert draft.capabilities.get(code="K1").title != "Paradigms"
    assert draft.capabilities.get(code="K2").description == "Edited meanwhile."


def test_a_published_framework_cannot_be_updated_from_a_file(designer_client, eisen_framework):
    url = reverse("competencies:framework_update_upload", args=[eisen_framework.uuid])
    assert designer_client.get(url).status_code == 409


@pytest.mark.parametrize("role_client", ["plain_user", "course_lead", "evaluator"], indirect=True)
def test_readers_cannot_preview_or_apply_updates(role_client, eisen_framework):
    draft = _draft_of_eisen(eisen_framework)
    assert _preview(role_client, draft, framework_workbook(draft)).status_code == 403
    assert not FrameworkImport.objects.exists()


def test_api_previews_and_applies_a_workbook_update(api, eisen_framework):
    draft = _draft_of_eisen(eisen_framework)
    content = _workbook_with_title(draft, "S1", "Boundary work")
    preview = api.post(
        f"/api/v1/frameworks/{draft.uuid}/update-preview/",
        {"file": SimpleUploadedFile("draft.xlsx", content)},
        format="multipart",
    )
    assert preview.status_code == 201
    [change] = preview.json()["plan"]["changed"]
    assert change["code"] == "S1"
    assert {
        "field": "title",
        "old": "Working with multiple communities",
        "new": "Boundary work",
    } in (change["changes"])
    applied = api.post(f"/api/v1/framework-imports/{preview.json()['import']['id']}/apply/")
    assert applied.status_code == 200
    assert applied.json()["import"]["status"] == "applied"
    assert draft.capabilities.get(code="S1").title == "Boundary work"


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"PK\x03\x04 not really a workbook", b"%PDF-1.7\n"],
    ids=["png", "broken-zip", "pdf"],
)
def test_a_file_that_is_not_json_csv_or_xlsx_is_refused(designer_client, content):
    before = _counts()
    response = designer_client.post(IMPORT_URL, {"file": _upload(ORDERING, content)})
    assert response.status_code == 400
    assert "nothing has been changed" in response.content.decode()
    assert _counts() == before
