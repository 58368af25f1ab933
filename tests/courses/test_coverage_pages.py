"""The coverage page: who sees it, what the heatmap and gap lists show, bad selections, and a
fixed number of queries whatever the size of the curriculum."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import coverage_views
from courses.models import Emphasis, LearningOutcome
from courses.services.mapping import outcome_map
from tests.courses.test_coverage import grow_curriculum, hand_made_curriculum
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    FrameworkFactory,
    OutcomeMappingFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("coverage:coverage")
# Session, user, the selection's framework, its courses, the capabilities, the mappings, the
# outcomes mapped to nothing, the outcome texts of the shown columns, the four choice lists
# of the form, and the user's roles (the navigation shows Evaluation to evaluators only).
PAGE_QUERIES = 13
READERS = ["designer", "course_lead", "evaluator", "administrator", "plain_user"]


@pytest.fixture
def curriculum():
    return hand_made_curriculum()


def _programme_page(client, curriculum, **extra):
    response = client.get(URL, {"programme": curriculum["programme"].pk, **extra})
    assert response.status_code == 200, response.content.decode()[-2000:]
    return response.content.decode()


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def _note(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"')[1].split("</div>")[0]


def test_anonymous_users_are_sent_to_sign_in(anonymous_client):
    response = anonymous_client.get(URL, {"eqf_level": 7})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role_client", READERS, indirect=True)
def test_every_signed_in_role_reads_the_coverage(role_client, curriculum):
    html = _programme_page(role_client, curriculum)

    assert "Coverage and gaps" in html
    assert 'aria-label="S1 in MSC101: Mastered, by LO1"' in html


def test_a_cell_shows_the_highest_emphasis_and_the_outcomes_behind_it(plain_client, curriculum):
    html = _programme_page(plain_client, curriculum)
    msc101 = curriculum["courses"][0]

    cell = re.search(r'<td class="heatmap__cell heatmap__cell--R">(.*?)</td>', html).group(1)
    assert f'href="/courses/{msc101.uuid}/"' in cell
    assert 'aria-label="K1 in MSC101: Reinforced, by LO1, LO2"' in cell
    assert ">R</a>" in cell
    # The tooltip, shown on hover and focus, names each outcome with its own emphasis.
    assert "<b>LO1</b> <i>Introduced</i> MSC101 outcome LO1" in cell
    assert "<b>LO2</b> <i>Reinforced</i> MSC101 outcome LO2" in cell
    assert 'role="tooltip"' in cell


def test_the_heatmap_is_an_accessible_table(plain_client, curriculum):
    html = _programme_page(plain_client, curriculum)

    assert "<caption" in html
    assert "Capabilities of Coverage test 2.0 by course: courses 1 to 3 of 3" in html
    assert html.count('<th scope="col" class="heatmap__course">') == 3
    assert 'scope="rowgroup"' in html
    # Rows in tree order, a child indented under its parent.
    rows = re.findall(r'class="heatmap__capability depth-(\d)"><a href="[^"]+">([^<]+)</a>', html)
    assert rows == [("0", "K1"), ("1", "K1.1"), ("0", "K2"), ("0", "S1"), ("0", "S2"), ("0", "S3")]
    s3_row = re.search(r">S3</a> Capability S3</th>(.*?)</tr>", html).group(1)
    assert s3_row == "<td></td>" * 3


def test_domain_totals(plain_client, curriculum):
    html = _programme_page(plain_client, curriculum)

    assert "Knowledge (K): 3 of 3 capabilities covered" in html
    assert "Skills (S): 2 of 3 capabilities covered" in html
    knowledge_totals = re.search(
        r"Knowledge: capabilities covered per course</th>(.*?)</tr>", html
    ).group(1)
    assert knowledge_totals == "<td>1</td><td>1</td><td>2</td>"


def test_gap_lists(plain_client, curriculum):
    html = _programme_page(plain_client, curriculum)
    msc101 = curriculum["courses"][0]

    assert "1 capability no outcome maps to" in html
    assert 'data-capability="S3"' in _section(html, "unmapped-capabilities")
    assert 'data-capability="K1.1"' in _section(html, "introduced-only")
    unmapped_outcomes = _section(html, "unmapped-outcomes")
    assert f'<a href="/courses/{msc101.uuid}/">MSC101</a> <b>LO3</b>' in unmapped_outcomes
    progression = _section(html, "progression")
    assert (
        "S1 is Mastered in MSC101 (semester 1) but no earlier course of the programme "
        "Introduces or Reinforces it." in progression
    )


def test_the_gap_lists_change_when_an_outcome_is_mapped(plain_client, curriculum):
    lo3 = LearningOutcome.objects.get(course=curriculum["courses"][0], code="LO3")
    before = _programme_page(plain_client, curriculum)

    outcome_map(
        outcome=lo3, capability=curriculum["capabilities"]["S3"], emphasis=Emphasis.REINFORCED
    )
    after = _programme_page(plain_client, curriculum)

    assert 'data-capability="S3"' in _section(before, "unmapped-capabilities")
    assert 'data-capability="S3"' not in _section(after, "unmapped-capabilities")
    assert "<b>LO3</b>" in _section(before, "unmapped-outcomes")
    assert "<b>LO3</b>" not in _section(after, "unmapped-outcomes")
    assert 'aria-label="S3 in MSC101: Reinforced, by LO3"' in after
    assert "Skills (S): 3 of 3 capabilities covered" in after


def test_notes_on_courses_left_out_and_on_another_version(plain_client, curriculum):
    html = _programme_page(plain_client, curriculum)

    left_out = _note(html, "other-framework-courses")
    assert "1 selected course maps to another framework than Coverage test and is left out" in (
        left_out
    )
    assert "OTH100" in left_out
    assert "MSC150</a> (2026/27): Coverage test 1.0" in _note(html, "other-version-courses")
    assert "1 mapping is to a capability that version 2.0 does not have" in html
    assert "OTH100" not in re.search(r"<thead>.*?</thead>", html, re.DOTALL).group(0)


def test_progression_is_not_shown_without_a_programme(plain_client):
    course = CourseFactory(code="FREE1")
    OutcomeMappingFactory(outcome__course=course, emphasis=Emphasis.MASTERED)

    response = plain_client.get(URL, {"course": course.uuid})

    assert 'data-testid="progression"' not in response.content.decode()
    assert 'aria-label="' in response.content.decode()


def test_download_links_keep_the_selection(plain_client, curriculum):
    html = _programme_page(plain_client, curriculum, academic_year=2026)
    query = f"programme={curriculum['programme'].pk}&amp;academic_year=2026"

    for table in ("mapping", "matrix"):
        for file_format in ("csv", "xlsx"):
            assert f'href="/coverage/download/{table}.{file_format}?{query}"' in html


def test_course_columns_come_in_pages_while_totals_cover_the_selection(
    plain_client, curriculum, monkeypatch
):
    monkeypatch.setattr(coverage_views, "COURSES_PER_PAGE", 2)
    first = _programme_page(plain_client, curriculum)
    second = _programme_page(plain_client, curriculum, page=2)

    assert "courses 1 to 2 of 3" in first
    assert f'href="?programme={curriculum["programme"].pk}&amp;page=2" rel="next"' in first
    assert "courses 3 to 3 of 3" in second
    assert 'rel="prev"' in second
    assert re.findall(r'<th scope="col" class="heatmap__course"><a [^>]+>(\w+)</a>', second) == [
        "MSC201"
    ]
    # Per domain, the covered count is of the whole selection; the per-course row, of the page.
    assert "Knowledge (K): 3 of 3 capabilities covered" in second
    assert (
        re.search(r"Knowledge: capabilities covered per course</th>(.*?)</tr>", second).group(1)
        == "<td>2</td>"
    )
    assert 'data-capability="S3"' in _section(second, "unmapped-capabilities")


def test_texts_are_escaped_in_the_heatmap_and_gap_lists(plain_client):
    framework = FrameworkFactory()
    capability = CapabilityFactory(
        domain__framework=framework, code="K<1>", title='<script>alert("t")</script>'
    )
    CapabilityFactory(domain=capability.domain, title="<b>never mapped</b>")
    course = CourseFactory(framework=framework, code="C&1")
    OutcomeMappingFactory(
        outcome__course=course,
        outcome__code='"LO1"',
        outcome__text="<img src=x onerror=alert(1)>",
        capability=capability,
    )

    html = plain_client.get(URL, {"course": course.uuid}).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'aria-label="K&lt;1&gt; in C&amp;1: Introduced, by &quot;LO1&quot;"' in html
    assert "&lt;b&gt;never mapped&lt;/b&gt;" in _section(html, "unmapped-capabilities")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"course": "0c4c3f52-4d4c-4c4f-9c8e-111111111111"}, "No course has the identifier"),
        ({"course": "not-a-uuid"}, "“not-a-uuid” is not a course identifier."),
        ({"eqf_level": 6}, "The EQF level must be 7 (MSc) or 8 (PhD), not 6."),
        ({"programme": 999999}, "There is no such programme."),
        ({"framework": "0c4c3f52-4d4c-4c4f-9c8e-111111111111"}, "No published framework"),
        ({"framework": "abc"}, "“abc” is not a framework identifier."),
        ({"academic_year": "soon"}, "Enter a whole number."),
    ],
)
def test_a_bad_selection_gets_a_clear_form_error(plain_client, query, message):
    response = plain_client.get(URL, query)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert "heatmap__cell" not in html


def test_a_programme_of_another_institution_is_refused_by_name(plain_client):
    programme, elsewhere = ProgrammeFactory(name="MSc North"), ProgrammeFactory()

    response = plain_client.get(
        URL, {"programme": programme.pk, "institution": elsewhere.institution.pk}
    )

    assert response.status_code == 400
    assert (
        f"MSc North belongs to {programme.institution.name}, not to "
        f"{elsewhere.institution.name}." in response.content.decode()
    )


def test_a_selection_matching_no_course_says_so(plain_client, curriculum):
    response = plain_client.get(URL, {"academic_year": 2031})

    assert response.status_code == 200
    assert "No course matches this selection." in response.content.decode()


def _page_queries(client, curriculum) -> int:
    with CaptureQueriesContext(connection) as queries:
        _programme_page(client, curriculum)
    return len(queries)


def test_the_page_costs_the_same_queries_at_any_size(
    plain_client, curriculum, django_assert_max_num_queries
):
    with django_assert_max_num_queries(PAGE_QUERIES):
        _programme_page(plain_client, curriculum)
    small = _page_queries(plain_client, curriculum)

    grow_curriculum(curriculum, courses=8, outcomes_per_course=5)
    with django_assert_max_num_queries(PAGE_QUERIES):
        html = _programme_page(plain_client, curriculum)

    assert html.count('<th scope="col" class="heatmap__course">') == 11
    assert _page_queries(plain_client, curriculum) == small
