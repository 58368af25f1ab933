"""Who may do what on the course pages: everyone signed in reads; a course lead changes only the
courses they lead; designers and administrators change every course; anonymous users sign in."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from competencies.models import Framework
from courses.models import Course, Institution, LearningOutcome, OutcomeMapping, Programme
from courses.services.rollover import course_remap
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


@pytest.fixture
def other_lead(db):
    """A course lead, of another course than the one the tests change."""
    lead = UserFactory(username="other-lead", roles=[Role.COURSE_LEAD])
    CourseFactory(leads=[lead])
    return lead


@dataclass
class Scene:
    course: Course
    outcome: LearningOutcome
    mapped: object
    unmapped: object
    newer: Framework
    report_id: int


def _scene(lead) -> Scene:
    """A course led by `lead`, remapped once, with an outcome mapped to one capability and a newer
    framework version it could be remapped to again."""
    first = FrameworkFactory(published_at=timezone.now() - timedelta(days=60))
    second = FrameworkFactory(
        slug=first.slug, version_label="2.0", published_at=timezone.now() - timedelta(days=30)
    )
    course = CourseFactory(code="IMP101", framework=first, leads=[lead])
    report = course_remap(course=course, framework=second, expected_revision=None)
    course.refresh_from_db()
    mapped = CapabilityFactory(domain__framework=second, code="K1")
    unmapped = CapabilityFactory(domain=mapped.domain, code="K2")
    outcome = LearningOutcomeFactory(course=course, code="LO1", text="Explain theories.")
    OutcomeMappingFactory(outcome=outcome, capability=mapped, emphasis="I")
    newer = FrameworkFactory(slug=first.slug, version_label="3.0")
    return Scene(course, outcome, mapped, unmapped, newer, report.pk)


@pytest.fixture
def scene(course_lead):
    return _scene(course_lead)


def _course_data(course, **changes):
    return {
        "institution": course.institution.pk,
        "programme": "",
        "code": course.code,
        "title": "Changed title",
        "eqf_level": 7,
        "ects": "10",
        "academic_year": course.academic_year,
        "semester": 1,
        "delivery_mode": course.delivery_mode,
        "description": "",
        "revision": course.revision,
        **changes,
    }


def _writes(scene: Scene) -> dict:
    """Every request that changes a course (or opens a form to), keyed by a readable name."""
    course, outcome = scene.course, scene.outcome
    c, o = course.uuid, outcome.uuid
    lo1_k1 = f"{o}:{scene.mapped.uuid}:I:I"
    lo1_k2 = f"{o}:{scene.unmapped.uuid}::"
    outcome_form = {"revision": 1, "code": "LO1", "text": "Apply theories.", "bloom_level": ""}
    return {
        "course edit form": ("get", reverse("courses:course_edit", args=[c]), {}),
        "course edit": ("post", reverse("courses:course_edit", args=[c]), _course_data(course)),
        "course delete form": ("get", reverse("courses:course_delete", args=[c]), {}),
        "course delete": (
            "post",
            reverse("courses:course_delete", args=[c]),
            {"revision": course.revision},
        ),
        "outcome add": (
            "post",
            reverse("courses:outcome_add", args=[c]),
            {"new-outcome-text": "Evaluate a programme."},
        ),
        "outcome row": ("get", reverse("courses:outcome_row", args=[c, o]), {}),
        "outcome edit form": ("get", reverse("courses:outcome_edit", args=[c, o]), {}),
        "outcome edit": ("post", reverse("courses:outcome_edit", args=[c, o]), outcome_form),
        "outcome delete": (
            "post",
            reverse("courses:outcome_delete", args=[c, o]),
            {"revision": 1},
        ),
        "outcome move": ("post", reverse("courses:outcome_move", args=[c, o, "down"]), {}),
        "picker": ("get", reverse("courses:mapping_picker", args=[c, o]), {}),
        "picker map": (
            "post",
            reverse("courses:mapping_picker", args=[c, o]),
            {"capability": scene.unmapped.uuid, "emphasis": "M"},
        ),
        "picker change": (
            "post",
            reverse("courses:mapping_change", args=[c, o, scene.mapped.uuid]),
            {"emphasis": "R", "note": ""},
        ),
        "picker remove": (
            "post",
            reverse("courses:mapping_remove", args=[c, o, scene.mapped.uuid]),
            {},
        ),
        "grid cell": ("post", reverse("courses:grid_cell", args=[c]), {"cell": lo1_k2}),
        "grid mark": ("post", reverse("courses:grid_mark", args=[c]), {"cell": lo1_k1}),
        "grid save": (
            "post",
            reverse("courses:grid_save", args=[c]),
            {"change": [f"{o}:{scene.mapped.uuid}:M:I", f"{o}:{scene.unmapped.uuid}:R:"]},
        ),
        "rollover form": ("get", reverse("courses:course_rollover", args=[c]), {}),
        "rollover": (
            "post",
            reverse("courses:course_rollover", args=[c]),
            {"academic_year": 2027},
        ),
        "remap form": ("get", reverse("courses:course_remap", args=[c]), {}),
        "remap": (
            "post",
            reverse("courses:course_remap", args=[c]),
            {"framework": scene.newer.uuid, "revision": course.revision},
        ),
        "remap report resolve": (
            "post",
            reverse("courses:remap_report_resolve", args=[c, scene.report_id]),
            {},
        ),
    }


def _state(scene: Scene):
    """What any write would change, to show a refused one changed nothing."""
    course = Course.objects.get(pk=scene.course.pk)
    return (
        course.revision,
        course.title,
        course.framework_id,
        Course.objects.count(),
        list(LearningOutcome.objects.order_by("pk").values_list("code", "text", "position")),
        list(OutcomeMapping.objects.order_by("pk").values_list("capability_id", "emphasis")),
        course.remap_reports.filter(resolved_at=None).count(),
    )


@pytest.mark.parametrize("role_client", ["evaluator", "plain_user", "other_lead"], indirect=True)
def test_readers_and_leads_of_other_courses_get_403_and_change_nothing(role_client, scene):
    before = _state(scene)
    for write, (method, url, data) in _writes(scene).items():
        response = getattr(role_client, method)(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 403, write
        assert _state(scene) == before, write


@pytest.mark.parametrize("role_client", ["course_lead", "designer", "administrator"], indirect=True)
def test_the_course_lead_designers_and_administrators_may_make_every_change(
    role_client, course_lead
):
    for write in _writes(_scene(course_lead)):
        # Each change on a course of its own, as it was before any other change.
        method, url, data = _writes(_scene(course_lead))[write]
        response = getattr(role_client, method)(url, data)
        assert response.status_code in (200, 302), write
        if method == "post":
            assert 'role="alert"' not in response.content.decode(), write


def test_anonymous_users_are_sent_to_sign_in_by_every_change(client, scene):
    for write, (method, url, data) in _writes(scene).items():
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, write
        assert response.url.startswith(reverse("login")), write


def _reads(scene: Scene) -> list[str]:
    c = scene.course.uuid
    return [
        reverse("courses:course_list"),
        reverse("courses:course_detail", args=[c]),
        reverse("courses:grid", args=[c]),
        reverse("courses:remap_report", args=[c, scene.report_id]),
        reverse("courses:institution_list"),
    ]


@pytest.mark.parametrize(
    "role_client",
    ["plain_user", "evaluator", "other_lead", "course_lead", "designer", "administrator"],
    indirect=True,
)
def test_everyone_signed_in_reads_courses(role_client, scene):
    for url in _reads(scene):
        assert role_client.get(url).status_code == 200, url


def test_anonymous_users_sign_in_to_read(client, scene):
    for url in _reads(scene):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def _catalogue_requests():
    institution = InstitutionFactory()
    programme = ProgrammeFactory(institution=institution)
    return [
        ("get", reverse("courses:institution_create"), {}),
        ("post", reverse("courses:institution_create"), {"name": "New", "country": "NO"}),
        ("get", reverse("courses:institution_edit", args=[institution.pk]), {}),
        (
            "post",
            reverse("courses:institution_edit", args=[institution.pk]),
            {"name": "Renamed", "country": "NO"},
        ),
        ("get", reverse("courses:programme_create", args=[institution.pk]), {}),
        (
            "post",
            reverse("courses:programme_create", args=[institution.pk]),
            {"name": "New MSc", "award": "MSc", "eqf_level": 7, "ects": 120},
        ),
        ("get", reverse("courses:programme_edit", args=[programme.pk]), {}),
        (
            "post",
            reverse("courses:programme_edit", args=[programme.pk]),
            {"name": "Renamed MSc", "award": "MSc", "eqf_level": 7, "ects": 90},
        ),
    ]


@pytest.mark.parametrize("role_client", ["course_lead", "evaluator", "plain_user"], indirect=True)
def test_only_designers_and_administrators_change_institutions_and_programmes(role_client):
    for method, url, data in _catalogue_requests():
        assert getattr(role_client, method)(url, data).status_code == 403, url
    assert not Institution.objects.filter(name__in=["New", "Renamed"]).exists()
    assert not Programme.objects.filter(name__in=["New MSc", "Renamed MSc"]).exists()


@pytest.mark.parametrize("role_client", ["designer", "administrator"], indirect=True)
def test_designers_and_administrators_change_institutions_and_programmes(role_client):
    for method, url, data in _catalogue_requests():
        assert getattr(role_client, method)(url, data).status_code in (200, 302), url
    assert Institution.objects.filter(name="Renamed").exists()
    assert Programme.objects.filter(name="Renamed MSc").exists()


@pytest.mark.parametrize(
    ("role_client", "status"),
    [
        ("course_lead", 200),
        ("designer", 200),
        ("administrator", 200),
        ("evaluator", 403),
        ("plain_user", 403),
    ],
    indirect=["role_client"],
)
def test_who_may_create_a_course(role_client, status):
    assert role_client.get(reverse("courses:course_create")).status_code == status


@pytest.mark.parametrize("role_client", ["evaluator", "plain_user"], indirect=True)
def test_readers_cannot_post_a_new_course(role_client):
    data = {
        "institution": InstitutionFactory().pk,
        "code": "NEW1",
        "title": "Not allowed",
        "eqf_level": 7,
        "ects": "5",
        "academic_year": 2026,
        "semester": 1,
        "delivery_mode": "online",
        "framework": FrameworkFactory().pk,
    }
    assert role_client.post(reverse("courses:course_create"), data).status_code == 403
    assert not Course.objects.exists()
