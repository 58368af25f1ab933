"""Who may do what in the courses API: everyone signed in reads; a course's leads, curriculum
designers and administrators change it; institutions and programmes are for designers and
administrators. Each refusal is a 403 that leaves everything as it was."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from courses.models import (
    Course,
    Institution,
    LearningOutcome,
    OutcomeMapping,
    Programme,
    RemapReport,
)
from eisen.roles import Role
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    FrameworkFactory,
    InstitutionFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

READERS_ONLY = ["plain_user", "evaluator"]
EVERY_COURSE = ["designer", "administrator"]


@pytest.fixture
def other_lead(db):
    return UserFactory(username="other-lead", roles=[Role.COURSE_LEAD])


def _client(request, persona) -> APIClient:
    client = APIClient()
    if persona is not None:
        client.force_authenticate(request.getfixturevalue(persona))
    return client


def _course_world(lead):
    """A course led by `lead`: an outcome mapped to K1, a capability K2 still free, a later
    version of its framework to remap to, and an open remap report."""
    old = FrameworkFactory(version_label="1.0")
    k1 = CapabilityFactory(domain__framework=old, code="K1")
    k2 = CapabilityFactory(domain=k1.domain, code="K2")
    new = FrameworkFactory(
        slug=old.slug, version_label="2.0", published_at=old.published_at + timedelta(days=1)
    )
    CapabilityFactory(domain__framework=new, code="K1", lineage=k1.lineage)
    course = CourseFactory(framework=old, leads=[lead])
    outcome = LearningOutcomeFactory(course=course, code="LO1", position=0)
    mapping = OutcomeMappingFactory(outcome=outcome, capability=k1, emphasis="I")
    report = RemapReport.objects.create(
        course=course, from_framework=old, to_framework=new, carried_over=0
    )
    return SimpleNamespace(
        course=course, outcome=outcome, mapping=mapping, free=k2, newer=new, report=report
    )


def _state(world) -> tuple:
    """Everything a write could change."""
    return (
        list(Course.objects.values_list("pk", "title", "revision", "framework")),
        list(LearningOutcome.objects.values_list("pk", "text", "position", "revision")),
        list(OutcomeMapping.objects.values_list("pk", "capability", "emphasis")),
        list(RemapReport.objects.values_list("pk", "resolved_at")),
    )


# name: (method, url, body, If-Match, status when allowed)
WRITES = {
    "course-patch": lambda w: ("patch", _course(w), {"title": "Changed"}, '"1"', 200),
    "course-delete": lambda w: ("delete", _course(w), None, '"1"', 204),
    "outcome-create": lambda w: (
        "post",
        "/api/v1/outcomes/",
        {"course": str(w.course.uuid), "text": "Explain it."},
        None,
        201,
    ),
    "outcome-patch": lambda w: ("patch", _outcome(w), {"text": "Apply it."}, '"1"', 200),
    "outcome-delete": lambda w: ("delete", _outcome(w), None, '"1"', 204),
    "outcome-reorder": lambda w: (
        "post",
        f"{_course(w)}outcomes/reorder/",
        {"order": [str(w.outcome.uuid)]},
        None,
        200,
    ),
    "mapping-create": lambda w: (
        "post",
        "/api/v1/mappings/",
        {"outcome": str(w.outcome.uuid), "capability": str(w.free.uuid), "emphasis": "R"},
        None,
        201,
    ),
    "mapping-patch": lambda w: ("patch", _mapping(w), {"emphasis": "M"}, None, 200),
    "mapping-delete": lambda w: ("delete", _mapping(w), None, None, 204),
    "grid-bulk-save": lambda w: (
        "post",
        f"{_course(w)}mappings/bulk/",
        {
            "changes": [
                {"outcome": str(w.outcome.uuid), "capability": str(w.free.uuid), "emphasis": "M"}
            ]
        },
        None,
        200,
    ),
    "rollover": lambda w: ("post", f"{_course(w)}rollover/", {"academic_year": 2027}, None, 201),
    "remap": lambda w: (
        "post",
        f"{_course(w)}remap/",
        {"framework": str(w.newer.uuid)},
        '"1"',
        201,
    ),
    "remap-report-resolve": lambda w: (
        "post",
        f"{_course(w)}remap-reports/{w.report.pk}/resolve/",
        {},
        None,
        200,
    ),
}


def _course(world) -> str:
    return f"/api/v1/courses/{world.course.uuid}/"


def _outcome(world) -> str:
    return f"/api/v1/outcomes/{world.outcome.uuid}/"


def _mapping(world) -> str:
    return f"/api/v1/mappings/{world.mapping.pk}/"


def _send(client, world, write):
    method, url, body, if_match, allowed = WRITES[write](world)
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    return getattr(client, method)(url, body, format="json", **headers), allowed


@pytest.mark.parametrize("write", WRITES)
def test_course_lead_cannot_change_another_leads_course(course_lead, other_lead, write):
    world = _course_world(other_lead)
    before = _state(world)
    client = APIClient()
    client.force_authenticate(course_lead)
    response, _allowed = _send(client, world, write)
    assert response.status_code == 403, response.content
    assert response.json() == {
        "detail": "Only the course's leads, curriculum designers and administrators may change "
        f"{world.course.code}."
    }
    assert _state(world) == before


@pytest.mark.parametrize("write", WRITES)
def test_course_lead_changes_their_own_course(course_lead, write):
    world = _course_world(course_lead)
    client = APIClient()
    client.force_authenticate(course_lead)
    response, allowed = _send(client, world, write)
    assert response.status_code == allowed, response.content


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("persona", EVERY_COURSE)
def test_designers_and_administrators_change_every_course(request, other_lead, persona, write):
    world = _course_world(other_lead)
    response, allowed = _send(_client(request, persona), world, write)
    assert response.status_code == allowed, response.content


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("persona", [None, *READERS_ONLY])
def test_readers_and_anonymous_change_no_course(request, other_lead, persona, write):
    world = _course_world(other_lead)
    before = _state(world)
    response, _allowed = _send(_client(request, persona), world, write)
    assert response.status_code == 403, response.content
    assert _state(world) == before


def _read_urls(world) -> list[str]:
    course = _course(world)
    programme = ProgrammeFactory(institution=world.course.institution)
    return [
        "/api/v1/institutions/",
        f"/api/v1/institutions/{programme.institution.pk}/",
        "/api/v1/programmes/",
        f"/api/v1/programmes/{programme.pk}/",
        "/api/v1/courses/",
        course,
        f"{course}remap-targets/",
        f"{course}remap-reports/",
        f"/api/v1/outcomes/?course={world.course.uuid}",
        _outcome(world),
        f"/api/v1/mappings/?course={world.course.uuid}",
        _mapping(world),
        f"/api/v1/coverage/?course={world.course.uuid}",
        f"/api/v1/coverage/gaps/?course={world.course.uuid}",
    ]


@pytest.mark.parametrize("persona", ["plain_user", "evaluator", "course_lead", *EVERY_COURSE])
def test_everyone_signed_in_reads_courses_and_coverage(request, other_lead, persona):
    world = _course_world(other_lead)
    client = _client(request, persona)
    for url in _read_urls(world):
        assert client.get(url).status_code == 200, url


def test_anonymous_reads_nothing(other_lead):
    world = _course_world(other_lead)
    client = APIClient()
    for url in _read_urls(world):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json() == {"detail": "Authentication credentials were not provided."}


def _new_course(framework, institution) -> dict:
    return {
        "institution": institution.pk,
        "code": "NEW1",
        "title": "New course",
        "eqf_level": 8,
        "ects": 5,
        "academic_year": 2026,
        "delivery_mode": "online",
        "framework": str(framework.uuid),
    }


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        (None, False),
        ("plain_user", False),
        ("evaluator", False),
        ("course_lead", True),
        ("designer", True),
        ("administrator", True),
    ],
)
def test_course_leads_designers_and_administrators_create_courses(request, persona, allowed):
    body = _new_course(FrameworkFactory(), InstitutionFactory())
    response = _client(request, persona).post("/api/v1/courses/", body, format="json")
    assert response.status_code == (201 if allowed else 403), response.content
    assert Course.objects.filter(code="NEW1").exists() == allowed


def _catalogue_writes(institution, programme, elsewhere) -> list[tuple]:
    return [
        ("post", "/api/v1/institutions/", {"name": "New university", "country": "UK"}, 201),
        ("patch", f"/api/v1/institutions/{institution.pk}/", {"country": "UK"}, 200),
        (
            "post",
            "/api/v1/programmes/",
            {
                "institution": elsewhere.pk,
                "name": "PhD X",
                "award": "PhD",
                "eqf_level": 8,
                "ects": 180,
            },
            201,
        ),
        ("patch", f"/api/v1/programmes/{programme.pk}/", {"name": "Renamed"}, 200),
        ("delete", f"/api/v1/programmes/{programme.pk}/", None, 204),
        ("delete", f"/api/v1/institutions/{institution.pk}/", None, 204),
    ]


@pytest.mark.parametrize("persona", [None, "plain_user", "evaluator", "course_lead"])
def test_only_designers_and_administrators_change_institutions_and_programmes(request, persona):
    institution = InstitutionFactory(country="Norway")
    programme = ProgrammeFactory(institution=institution, name="MSc Y")
    elsewhere = InstitutionFactory()
    client = _client(request, persona)
    for method, url, body, _allowed in _catalogue_writes(institution, programme, elsewhere):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (method, url)
    assert set(Institution.objects.values_list("name", "country")) == {
        (institution.name, "Norway"),
        (elsewhere.name, elsewhere.country),
    }
    assert list(Programme.objects.values_list("name", flat=True)) == ["MSc Y"]


@pytest.mark.parametrize("persona", EVERY_COURSE)
def test_designers_and_administrators_change_institutions_and_programmes(request, persona):
    institution = InstitutionFactory()
    programme = ProgrammeFactory(institution=institution)
    elsewhere = InstitutionFactory()
    client = _client(request, persona)
    for method, url, body, allowed in _catalogue_writes(institution, programme, elsewhere):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == allowed, (method, url, response.content)
    assert sorted(Institution.objects.values_list("name", flat=True)) == sorted(
        ["New university", elsewhere.name]
    )
    assert list(Programme.objects.values_list("name", flat=True)) == ["PhD X"]
