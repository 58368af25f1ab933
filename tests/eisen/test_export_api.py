"""/api/v1/exports/: ask for a PDF (202), follow it, download it and remove it."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from eisen.models import ExportJob
from tests.eisen.export_kind_fixtures import (
    MINUTES,
    ExportJobFactory,
    history_of_finished_exports,
)
from tests.pdf_reading import pdf_text

pytestmark = pytest.mark.django_db

EXPORTS = "/api/v1/exports/"
HANDOUT_REQUEST = {
    "kind": "handout",
    "parameters": {"title": "Accreditation panel", "language": "en", "pages": 3},
}
# Session, user, role groups, stalled jobs, the count and the page of jobs with their requesters.
LIST_QUERIES = 6


def _detail(job) -> str:
    return f"{EXPORTS}{job.uuid}/"


def _download(job) -> str:
    return f"{EXPORTS}{job.uuid}/download/"


@pytest.fixture
def api_as(request):
    """An API client signed in as the persona of that name."""

    def sign_in(persona: str) -> APIClient:
        client = APIClient()
        client.force_login(request.getfixturevalue(persona))
        return client

    return sign_in


@pytest.fixture
def admin_api(api_as, administrator):
    return api_as("administrator")


# --- asking for an export ----------------------------------------------------------------------


def test_asking_for_an_export_answers_202_with_the_job_and_its_location(
    handout_kind, admin_api, administrator
):
    response = admin_api.post(EXPORTS, HANDOUT_REQUEST, format="json")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert response["Location"] == _detail(job)
    body = response.json()
    assert body["id"] == str(job.uuid)
    assert body["kind"] == "handout"
    assert body["parameters"] == HANDOUT_REQUEST["parameters"]
    assert body["summary"] == "Handout “Accreditation panel”, 3 pages, in en"
    assert (body["status"], body["stage"], body["progress"]) == ("queued", "waiting", 0)
    assert body["stage_label"] == "Waiting for a worker"
    assert body["requested_by"] == "administrator"
    assert body["download_url"] is None
    assert job.requested_by == administrator


def test_an_export_asked_for_by_api_is_built_and_downloadable(
    handout_kind, admin_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        location = admin_api.post(EXPORTS, HANDOUT_REQUEST, format="json")["Location"]
    body = admin_api.get(location).json()
    job = ExportJob.objects.get()
    assert (body["status"], body["progress"], body["pages"]) == ("ready", 100, 3)
    assert body["sha256"] == job.sha256
    assert body["download_url"] == f"http://testserver{_download(job)}"
    download = admin_api.get(body["download_url"])
    pdf = b"".join(download.streaming_content)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "private" in download["Cache-Control"]
    assert len(pdf) == body["size"]
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3
    assert "Accreditation panel" in pdf_text(pdf)


def test_an_unknown_kind_is_refused_naming_the_kind(handout_kind, admin_api):
    response = admin_api.post(EXPORTS, {**HANDOUT_REQUEST, "kind": "horoscope"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["kind"]
    message = response.json()["kind"][0]
    assert "horoscope" in message
    assert "board-minutes, handout" in message
    assert not ExportJob.objects.exists()


def test_refused_parameters_are_named_field_by_field_and_nothing_is_queued(handout_kind, admin_api):
    response = admin_api.post(
        EXPORTS,
        {"kind": "handout", "parameters": {"title": "", "language": "tlh", "pages": 3}},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["parameters"]
    assert set(errors) == {"title", "language"}
    assert errors["title"] == ["This field is required."]
    assert errors["language"] == ["Select a valid choice. tlh is not one of the available choices."]
    assert not ExportJob.objects.exists()


def test_parameters_must_be_an_object(handout_kind, admin_api):
    response = admin_api.post(EXPORTS, {"kind": "handout", "parameters": "all"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["parameters"]
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("persona", ["plain_user", "course_lead", "evaluator", "designer"])
def test_those_the_kind_does_not_allow_may_not_start_it(handout_kind, api_as, persona):
    response = api_as(persona).post(EXPORTS, HANDOUT_REQUEST, format="json")
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_anonymous_requests_are_refused(handout_kind):
    job = ExportJobFactory(ready=True)
    anonymous = APIClient()
    assert anonymous.post(EXPORTS, HANDOUT_REQUEST, format="json").status_code == 403
    for url in [EXPORTS, _detail(job), _download(job)]:
        assert anonymous.get(url).status_code == 403
    assert anonymous.delete(_detail(job)).status_code == 403
    assert ExportJob.objects.count() == 1


def test_a_token_is_enough_to_ask_for_an_export(handout_kind, administrator):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=administrator).key}")
    assert client.post(EXPORTS, HANDOUT_REQUEST, format="json").status_code == 202
    assert ExportJob.objects.get().requested_by == administrator


# --- following and downloading -----------------------------------------------------------------


def test_the_detail_shows_status_progress_and_no_link_before_ready(handout_kind, admin_api):
    job = ExportJobFactory(running=True, stage="layout", progress=40)
    body = admin_api.get(_detail(job)).json()
    assert (body["status"], body["stage"], body["progress"]) == ("running", "layout", 40)
    assert body["stage_label"] == "Laying out the pages"
    assert body["attempts"] == 1
    assert body["download_url"] is None


def test_a_failed_export_tells_why(handout_kind, admin_api):
    job = ExportJobFactory(failed=True, error="The course MSC101 was deleted.")
    body = admin_api.get(_detail(job)).json()
    assert (body["status"], body["error"], body["download_url"]) == (
        "failed",
        "The course MSC101 was deleted.",
        None,
    )


@pytest.mark.parametrize(
    ("traits", "status"),
    [({}, "queued"), ({"running": True}, "running"), ({"failed": True}, "failed")],
)
def test_downloading_an_unfinished_export_is_a_conflict(handout_kind, admin_api, traits, status):
    job = ExportJobFactory(**traits)
    response = admin_api.get(_download(job))
    assert response.status_code == 409
    assert response.json() == {"detail": f"This export has no file (status: {status.title()})."}


def test_an_unknown_export_is_named_in_the_404(handout_kind, admin_api):
    response = admin_api.get(f"{EXPORTS}00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert "00000000-0000-0000-0000-000000000000" in response.json()["detail"]


def test_a_designer_may_follow_and_download_a_handout(built_job, api_as, exports_folder):
    designer_api = api_as("designer")
    assert designer_api.get(_detail(built_job)).json()["status"] == "ready"
    download = designer_api.get(_download(built_job))
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content)
    assert pdf == (exports_folder / f"{built_job.uuid}.pdf").read_bytes()


@pytest.mark.parametrize("persona", ["evaluator", "plain_user", "course_lead"])
def test_those_the_kind_refuses_may_not_see_or_download_it(built_job, api_as, persona):
    client = api_as(persona)
    for url in [_detail(built_job), _download(built_job)]:
        assert client.get(url).status_code == 403
    assert client.get(EXPORTS).status_code == 403


def test_a_designer_may_not_see_a_kind_only_administrators_download(handout_kind, api_as):
    handout = ExportJobFactory(ready=True)
    minutes = ExportJobFactory(ready=True, kind=MINUTES)
    designer_api = api_as("designer")
    listed = [job["id"] for job in designer_api.get(EXPORTS).json()["results"]]
    assert listed == [str(handout.uuid)]
    assert designer_api.get(_detail(minutes)).status_code == 403
    assert designer_api.get(_download(minutes)).status_code == 403


def test_the_list_filters_by_status(handout_kind, admin_api):
    ready = ExportJobFactory(ready=True)
    ExportJobFactory(failed=True)
    ExportJobFactory()
    body = admin_api.get(EXPORTS, {"status": "ready"}).json()
    assert [job["id"] for job in body["results"]] == [str(ready.uuid)]


def _list_queries(client, count, django_assert_max_num_queries) -> int:
    history_of_finished_exports(count)
    with (
        django_assert_max_num_queries(LIST_QUERIES),
        CaptureQueriesContext(connection) as queries,
    ):
        body = client.get(EXPORTS).json()
    assert body["count"] == count
    assert all(job["requested_by"].startswith("user") for job in body["results"])
    return len(queries)


def test_the_list_costs_the_same_queries_for_3_and_30_exports(
    handout_kind, admin_api, django_assert_max_num_queries
):
    few = _list_queries(admin_api, 3, django_assert_max_num_queries)
    many = _list_queries(admin_api, 30, django_assert_max_num_queries)
    assert few == many


# --- removing ----------------------------------------------------------------------------------


def test_removing_answers_204_and_takes_the_file_away(
    built_job, admin_api, exports_folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.delete(_detail(built_job))
    assert response.status_code == 204
    assert not ExportJob.objects.exists()
    assert list(exports_folder.iterdir()) == []
    assert admin_api.get(_detail(built_job)).status_code == 404


def test_a_designer_may_not_remove_an_export(built_job, api_as, exports_folder):
    response = api_as("designer").delete(_detail(built_job))
    assert response.status_code == 403
    assert ExportJob.objects.filter(pk=built_job.pk).exists()
    assert (exports_folder / f"{built_job.uuid}.pdf").exists()


def test_the_pdf_is_served_whatever_the_accept_header_or_list_filter(built_job, admin_api):
    for query in ("", "?status=queued"):
        download = admin_api.get(_download(built_job) + query, HTTP_ACCEPT="application/pdf")
        assert download.status_code == 200, query
        assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_following_an_export_whose_worker_died_reads_it_as_failed(
    handout_kind, admin_api, settings
):
    stalled = ExportJobFactory(
        running=True,
        started_at=timezone.now() - timedelta(seconds=settings.EXPORT_TIME_LIMIT + 120),
    )
    body = admin_api.get(_detail(stalled)).json()
    assert body["status"] == "failed"
    assert body["error"] == "No worker finished this export; it was given up. Start it again."
