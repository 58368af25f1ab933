"""The export pages: history, asking for an export, its progress, download and removal."""

import dataclasses
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from eisen import export_kinds, exports
from eisen.export_views import HISTORY_PAGE_SIZE
from eisen.models import ExportJob
from eisen.roles import Role, has_role
from tests.eisen.export_kind_fixtures import (
    MINUTES,
    ExportJobFactory,
    history_of_finished_exports,
)
from tests.factories import UserFactory
from tests.pdf_reading import pdf_text

pytestmark = pytest.mark.django_db

LIST = reverse("exports:export_list")
NEW = reverse("exports:export_new", args=["handout"])
# Session, user, role groups, stalled jobs, the count and the page of jobs with their requesters.
LIST_QUERIES = 6


def _url(name, job):
    return reverse(f"exports:{name}", args=[job.uuid])


def _job_pages(job) -> list[tuple[str, str]]:
    return [
        ("get", _url("export_detail", job)),
        ("get", _url("export_download", job)),
        ("get", _url("export_delete", job)),
        ("post", _url("export_delete", job)),
    ]


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="export-([0-9a-f-]{36})"', html)


# --- who may do what ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(handout_kind, anonymous_client):
    job = ExportJobFactory(ready=True)
    for method, url in [("get", LIST), ("get", NEW), ("post", NEW), *_job_pages(job)]:
        response = getattr(anonymous_client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"
    assert ExportJob.objects.filter(pk=job.pk).exists()


@pytest.mark.parametrize("persona", ["plain_client", "lead_client"])
def test_users_without_an_export_role_are_refused_every_page(
    handout_kind, built_job, persona, request, exports_folder
):
    client = request.getfixturevalue(persona)
    for method, url in [("get", LIST), ("get", NEW), ("post", NEW), *_job_pages(built_job)]:
        assert getattr(client, method)(url).status_code == 403, (method, url)
    assert ExportJob.objects.count() == 1
    assert (exports_folder / f"{built_job.uuid}.pdf").exists()


def test_an_evaluator_is_refused_the_handouts(handout_kind, built_job, evaluator_client):
    for method, url in [("get", LIST), ("get", NEW), *_job_pages(built_job)]:
        assert getattr(evaluator_client, method)(url).status_code == 403, (method, url)
    assert ExportJob.objects.count() == 1


def test_a_designer_may_list_and_download_but_not_start_or_remove(
    handout_kind, built_job, designer_client, exports_folder
):
    listing = designer_client.get(LIST).content.decode()
    assert _rows(listing) == [str(built_job.uuid)]
    assert NEW not in listing
    assert _url("export_delete", built_job) not in listing
    assert designer_client.get(_url("export_detail", built_job)).status_code == 200
    assert designer_client.get(_url("export_download", built_job)).status_code == 200
    assert designer_client.get(NEW).status_code == 403
    started = designer_client.post(NEW, {"title": "Mine", "language": "en", "pages": 1})
    assert started.status_code == 403
    assert designer_client.get(_url("export_delete", built_job)).status_code == 403
    assert designer_client.post(_url("export_delete", built_job)).status_code == 403
    assert ExportJob.objects.count() == 1
    assert (exports_folder / f"{built_job.uuid}.pdf").exists()


def test_media_files_are_never_served_by_url(built_job, administrator_client, exports_folder):
    assert (exports_folder / f"{built_job.uuid}.pdf").exists()
    for url in [f"/media/exports/{built_job.uuid}.pdf", f"/media/{built_job.file.name}"]:
        assert administrator_client.get(url).status_code == 404


def test_an_unknown_kind_has_no_page(handout_kind, administrator_client):
    response = administrator_client.get(reverse("exports:export_new", args=["horoscope"]))
    assert response.status_code == 404


# --- the history -------------------------------------------------------------------------------


def test_the_history_says_who_asked_when_and_what_came_out(
    handout_kind, administrator_client, administrator
):
    asker = UserFactory(username="ingrid")
    job = ExportJobFactory(
        ready=True, requested_by=asker, size=1536, pages=7, sha256="ab12" * 16, title="Q3 board"
    )
    html = administrator_client.get(LIST).content.decode()
    row = html[html.index(f'<tr id="export-{job.uuid}"') :]
    row = row[: row.index("</tr>")]
    assert "Q3 board" in row
    assert "<td>ingrid</td>" in row
    assert f'<time datetime="{timezone.localtime(job.created_at).isoformat()}">' in row
    assert "<td>1.5\xa0KB</td>" in row
    assert "<td>7</td>" in row
    assert f'title="{"ab12" * 16}">ab12ab12ab12…</code>' in row
    assert f'href="{_url("export_download", job)}"' in row
    assert f'href="{_url("export_delete", job)}"' in row
    assert "hx-get" not in row


def test_the_history_shows_only_kinds_the_user_may_download(
    handout_kind, administrator_client, designer_client
):
    handout = ExportJobFactory(ready=True)
    minutes = ExportJobFactory(ready=True, kind=MINUTES)
    assert _rows(designer_client.get(LIST).content.decode()) == [str(handout.uuid)]
    assert set(_rows(administrator_client.get(LIST).content.decode())) == {
        str(handout.uuid),
        str(minutes.uuid),
    }
    assert designer_client.get(_url("export_detail", minutes)).status_code == 403
    assert designer_client.get(_url("export_download", minutes)).status_code == 403


def test_the_history_is_paged_newest_first(handout_kind, administrator_client):
    jobs = ExportJobFactory.create_batch(HISTORY_PAGE_SIZE + 5, ready=True)
    now = timezone.now()
    for age, job in enumerate(jobs):
        ExportJob.objects.filter(pk=job.pk).update(created_at=now - timedelta(minutes=age))
    first = administrator_client.get(LIST).content.decode()
    second = administrator_client.get(LIST, {"page": 2}).content.decode()
    assert _rows(first) == [str(job.uuid) for job in jobs[:HISTORY_PAGE_SIZE]]
    assert _rows(second) == [str(job.uuid) for job in jobs[HISTORY_PAGE_SIZE:]]
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert "Page 2 of 2" in second


def test_the_history_fails_exports_whose_worker_died(handout_kind, administrator_client, settings):
    stalled = ExportJobFactory(
        running=True,
        started_at=timezone.now() - timedelta(seconds=settings.EXPORT_TIME_LIMIT + 120),
    )
    html = administrator_client.get(LIST).content.decode()
    stalled.refresh_from_db()
    assert stalled.status == ExportJob.Status.FAILED
    assert 'class="status status--failed">Failed<' in html


def _list_queries(client, count, django_assert_max_num_queries) -> int:
    history_of_finished_exports(count)
    ExportJobFactory(running=True, requested_by=UserFactory())
    with (
        django_assert_max_num_queries(LIST_QUERIES),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(LIST)
    assert len(_rows(response.content.decode())) == min(count + 1, HISTORY_PAGE_SIZE)
    return len(queries)


def test_the_history_costs_the_same_queries_for_3_and_30_exports(
    handout_kind, administrator_client, django_assert_max_num_queries
):
    few = _list_queries(administrator_client, 3, django_assert_max_num_queries)
    many = _list_queries(administrator_client, 30, django_assert_max_num_queries)
    assert few == many


# --- asking for an export ----------------------------------------------------------------------


def test_the_form_shows_errors_beside_the_fields_and_queues_nothing(
    handout_kind, administrator_client
):
    response = administrator_client.post(NEW, {"title": "", "language": "tlh", "pages": "0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="error" id="id_title_error">This field is required.</p>' in html
    assert (
        '<p class="error" id="id_language_error">'
        "Select a valid choice. tlh is not one of the available choices.</p>"
    ) in html
    assert 'id="id_pages_error">Ensure this value is greater than or equal to 1.</p>' in html
    assert 'aria-describedby="id_title_error"' in html
    assert not ExportJob.objects.exists()


def test_an_administrator_starts_an_export_and_finds_it_ready(
    handout_kind, administrator_client, administrator, django_capture_on_commit_callbacks
):
    assert administrator_client.get(NEW).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = administrator_client.post(
            NEW, {"title": "Partners <b>2027</b>", "language": "en", "pages": "2"}
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("export_detail", job)
    assert (job.status, job.requested_by, job.pages) == ("ready", administrator, 2)
    detail = administrator_client.get(response["Location"]).content.decode()
    assert "<dd>Partners &lt;b&gt;2027&lt;/b&gt;</dd>" in detail
    assert 'data-status="ready"' in detail
    assert f'href="{_url("export_download", job)}"' in detail
    assert job.sha256 in detail


# --- following an export -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traits", "polls"),
    [({}, True), ({"running": True}, True), ({"ready": True}, False), ({"failed": True}, False)],
)
def test_the_progress_partial_polls_until_the_export_is_finished(
    handout_kind, administrator_client, traits, polls
):
    job = ExportJobFactory(**traits)
    partial = administrator_client.get(_url("export_detail", job), HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert html.startswith('<section id="export-progress"')
    assert "<html" not in html
    assert f'data-status="{job.status}"' in html
    assert (f'hx-get="{_url("export_detail", job)}" hx-trigger="every 1s"' in html) is polls


def test_the_progress_partial_shows_stage_progress_and_attempt(handout_kind, administrator_client):
    job = ExportJobFactory(running=True, stage="layout", progress=40, attempts=2)
    html = administrator_client.get(_url("export_detail", job), HTTP_HX_REQUEST="true")
    assert '<progress value="40" max="100"' in html.content.decode()
    assert "Laying out the pages (40%) · attempt 2" in html.content.decode()


def test_a_failed_export_shows_its_error(handout_kind, administrator_client):
    job = ExportJobFactory(failed=True, error="The course MSC101 was deleted.")
    html = administrator_client.get(_url("export_detail", job)).content.decode()
    assert '<p class="error" role="alert" data-testid="export-error">' in html
    assert "The course MSC101 was deleted." in html
    assert _url("export_download", job) not in html


def test_the_full_detail_page_wraps_the_progress(handout_kind, administrator_client):
    job = ExportJobFactory(summary="Handout for the partners")
    html = administrator_client.get(_url("export_detail", job)).content.decode()
    assert "<html" in html
    assert "<h1>handout export</h1>" in html
    assert "<dd>Handout for the partners</dd>" in html
    assert 'id="export-progress"' in html
    assert f'href="{_url("export_delete", job)}"' in html


@pytest.mark.parametrize(("traits", "polls"), [({"running": True}, True), ({"ready": True}, False)])
def test_the_history_row_partial_polls_while_unfinished(
    handout_kind, administrator_client, traits, polls
):
    job = ExportJobFactory(**traits)
    response = administrator_client.get(
        _url("export_detail", job), {"as": "row"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.startswith(f'<tr id="export-{job.uuid}"')
    assert html.rstrip().endswith("</tr>")
    assert ('hx-trigger="every 2s"' in html) is polls


# --- download and removal ----------------------------------------------------------------------


def test_the_download_is_the_pdf_as_a_private_attachment(
    built_job, administrator_client, exports_folder
):
    response = administrator_client.get(_url("export_download", built_job))
    pdf = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="handout-board-handout.pdf"'
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert pdf == (exports_folder / f"{built_job.uuid}.pdf").read_bytes()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert "Board handout" in pdf_text(pdf)


@pytest.mark.parametrize("traits", [{}, {"running": True}, {"failed": True}])
def test_there_is_nothing_to_download_before_the_export_is_ready(
    handout_kind, administrator_client, traits
):
    job = ExportJobFactory(**traits)
    assert administrator_client.get(_url("export_download", job)).status_code == 404


def test_a_ready_export_whose_file_is_gone_answers_404(handout_kind, administrator_client):
    job = ExportJobFactory(ready=True)
    assert administrator_client.get(_url("export_download", job)).status_code == 404


def test_removing_asks_first_then_removes_the_row_and_the_file(
    built_job, administrator_client, exports_folder, django_capture_on_commit_callbacks
):
    confirm = administrator_client.get(_url("export_delete", built_job)).content.decode()
    assert "Remove this export?" in confirm
    assert "“Board handout”" in confirm
    assert '<button type="submit" class="danger-button">Remove</button>' in confirm
    assert 'href="/static/css/exports.css"' in confirm
    assert ExportJob.objects.filter(pk=built_job.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = administrator_client.post(_url("export_delete", built_job))
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not ExportJob.objects.exists()
    assert list(exports_folder.iterdir()) == []
    listing = administrator_client.get(LIST).content.decode()
    assert "The export “Board handout” was removed." in listing


def test_watching_an_export_that_was_removed_stops_the_polling(handout_kind, administrator_client):
    job = ExportJobFactory(running=True)
    url = _url("export_detail", job)
    job.delete()
    for query, element in (("", "<section"), ("?as=row", "<tr")):
        response = administrator_client.get(url + query, HTTP_HX_REQUEST="true")
        # 286 is htmx's "stop polling"; the partial says why it stopped.
        assert response.status_code == 286
        html = response.content.decode()
        assert html.startswith(element)
        assert "This export was removed." in html


def test_an_export_is_removed_by_an_administrator_or_by_whoever_asked_for_it(
    handout_kind, monkeypatch, administrator, designer
):
    designers_start = dataclasses.replace(
        handout_kind, may_start=lambda user: has_role(user, Role.CURRICULUM_DESIGNER)
    )
    monkeypatch.setitem(export_kinds._kinds, handout_kind.name, designers_start)
    other_designer = UserFactory(roles=[Role.CURRICULUM_DESIGNER])
    job = ExportJobFactory(requested_by=designer)
    assert exports.may_delete(designer, job)
    assert exports.may_delete(administrator, job)
    assert not exports.may_delete(other_designer, job)
