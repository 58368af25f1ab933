"""Institutions, programmes and courses through the API: filters, writes, refusals, rollover and
remap."""

import uuid
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from courses.models import Course, Institution, OutcomeMapping, Programme, RemapReport
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


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(designer):
    return _client(designer)


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["code"] for item in response.json()["results"]]


def _course_body(framework, institution, **changes) -> dict:
    return {
        "institution": institution.pk,
        "code": "IMP700",
        "title": "Implementation science in practice",
        "eqf_level": 7,
        "ects": "7.5",
        "academic_year": 2026,
        "semester": 1,
        "delivery_mode": "blended",
        "framework": str(framework.uuid),
        **changes,
    }


def test_designer_creates_changes_and_deletes_an_institution(api):
    created = api.post(
        "/api/v1/institutions/", {"name": "Karolinska Institutet", "country": "Sweden"}
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/institutions/{created.json()['id']}/"
    renamed = api.patch(url, {"country": "Sverige"})
    assert renamed.json()["country"] == "Sverige"
    assert api.get("/api/v1/institutions/").json()["results"] == [
        {
            "id": created.json()["id"],
            "name": "Karolinska Institutet",
            "country": "Sverige",
            "is_example": False,
        }
    ]
    duplicate = api.post("/api/v1/institutions/", {"name": "Karolinska Institutet", "country": "S"})
    assert duplicate.status_code == 400
    assert duplicate.json() == {"name": ["Institution with this Name already exists."]}
    assert api.delete(url).status_code == 204
    assert not Institution.objects.exists()


def test_an_institution_with_courses_is_not_deleted(api):
    course = CourseFactory(code="IMP701")
    response = api.delete(f"/api/v1/institutions/{course.institution.pk}/")
    assert response.status_code == 409
    assert "IMP701" in response.json()["detail"]
    assert Institution.objects.filter(pk=course.institution.pk).exists()


def test_programmes_filter_by_institution_and_award_and_check_the_level(api):
    institution = InstitutionFactory()
    msc = ProgrammeFactory(institution=institution, name="MSc Implementation")
    ProgrammeFactory(institution=institution, name="PhD Implementation", phd=True)
    ProgrammeFactory(name="MSc Elsewhere")

    def names(**params):
        return [item["name"] for item in api.get("/api/v1/programmes/", params).json()["results"]]

    assert names(institution=institution.pk, award="MSc") == ["MSc Implementation"]
    assert names(award="PhD") == ["PhD Implementation"]
    refused = api.post(
        "/api/v1/programmes/",
        {
            "institution": institution.pk,
            "name": "MSc X",
            "award": "MSc",
            "eqf_level": 8,
            "ects": 90,
        },
    )
    assert refused.status_code == 400
    assert refused.json() == {"eqf_level": ["The award MSc is at EQF level 7."]}
    negative = api.patch(f"/api/v1/programmes/{msc.pk}/", {"ects": "-5"})
    assert negative.json() == {"ects": ["ECTS credits cannot be negative."]}
    msc.refresh_from_db()
    assert msc.ects == 120
    assert Programme.objects.count() == 3


def test_course_list_filters(api, course_lead):
    framework = FrameworkFactory()
    programme = ProgrammeFactory()
    led = CourseFactory(
        code="MSC1",
        title="Stakeholder engagement",
        institution=programme.institution,
        programme=programme,
        framework=framework,
        leads=[course_lead],
    )
    CourseFactory(code="PHD1", eqf_level=8, academic_year=2027, description="Engagement deeply")
    CourseFactory(code="OLD1", academic_year=2025)

    assert _codes(api.get("/api/v1/courses/")) == ["PHD1", "MSC1", "OLD1"]
    assert _codes(api.get("/api/v1/courses/", {"institution": programme.institution.pk})) == [
        "MSC1"
    ]
    assert _codes(api.get("/api/v1/courses/", {"programme": programme.pk})) == ["MSC1"]
    assert _codes(api.get("/api/v1/courses/", {"academic_year": 2025})) == ["OLD1"]
    assert _codes(api.get("/api/v1/courses/", {"eqf_level": 8})) == ["PHD1"]
    assert _codes(api.get("/api/v1/courses/", {"framework": framework.uuid})) == ["MSC1"]
    assert _codes(api.get("/api/v1/courses/", {"lead": course_lead.pk})) == ["MSC1"]
    assert _codes(_client(course_lead).get("/api/v1/courses/", {"lead": "me"})) == ["MSC1"]
    assert _codes(api.get("/api/v1/courses/", {"search": "engagement"})) == ["PHD1", "MSC1"]
    assert _codes(api.get("/api/v1/courses/", {"search": "stakeholder engagement"})) == ["MSC1"]
    bad = api.get("/api/v1/courses/", {"lead": "someone", "eqf_level": 6, "institution": 9999})
    assert bad.status_code == 400
    assert set(bad.json()) == {"lead", "eqf_level", "institution"}
    assert bad.json()["lead"] == ["Give “me” or a user's numeric identifier."]
    assert bad.json()["institution"] == ["There is no institution with this identifier."]
    detail = api.get(f"/api/v1/courses/{led.uuid}/")
    assert detail["ETag"] == '"1"'
    assert detail.json()["leads"] == ["lead"]
    assert detail.json()["framework"] == str(framework.uuid)
    assert detail.json()["academic_year_label"] == "2026/27"


def test_unknown_course_is_a_named_404(api):
    missing = uuid.uuid4()
    response = api.get(f"/api/v1/courses/{missing}/")
    assert response.status_code == 404
    assert response.json() == {"detail": f"No course has the identifier {missing}."}


def test_course_lead_who_creates_a_course_leads_it(course_lead):
    framework, institution = FrameworkFactory(), InstitutionFactory()
    response = _client(course_lead).post(
        "/api/v1/courses/", _course_body(framework, institution), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response["ETag"] == '"1"'
    assert response.json()["leads"] == ["lead"]
    course = Course.objects.get(uuid=response.json()["id"])
    assert set(course.leads.all()) == {course_lead}


def test_course_leads_do_not_choose_leads_as_on_the_pages(course_lead):
    framework, institution = FrameworkFactory(), InstitutionFactory()
    colleague = UserFactory(username="colleague")
    response = _client(course_lead).post(
        "/api/v1/courses/",
        _course_body(framework, institution, leads=[colleague.pk]),
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only curriculum designers and administrators choose a course's leads."
    }
    assert not Course.objects.exists()


def test_designer_names_leads_by_username_or_identifier(api):
    UserFactory(username="anna")
    bob = UserFactory(username="bob")
    response = api.post(
        "/api/v1/courses/",
        _course_body(FrameworkFactory(), InstitutionFactory(), leads=["anna", str(bob.pk)]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["leads"]) == ["anna", "bob"]
    unknown = api.post(
        "/api/v1/courses/",
        _course_body(FrameworkFactory(), InstitutionFactory(), code="X1", leads=["nobody"]),
        format="json",
    )
    assert unknown.json() == {"leads": ["There is no user nobody."]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            lambda: {"eqf_level": 6},
            "eqf_level",
            "The EQF level must be 7 (MSc) or 8 (PhD).",
            id="eqf-level-6",
        ),
        pytest.param(
            lambda: {"ects": "-1"}, "ects", "ECTS credits cannot be negative.", id="negative-ects"
        ),
        pytest.param(
            lambda: {"framework": str(FrameworkFactory(draft=True).uuid)},
            "framework",
            "is a draft; courses map to published versions only.",
            id="draft-framework",
        ),
        pytest.param(
            lambda: {"programme": ProgrammeFactory().pk},
            "programme",
            "The programme belongs to another institution.",
            id="programme-of-another-institution",
        ),
    ],
)
def test_course_is_refused_with_the_reason_and_nothing_is_saved(api, changes, field, message):
    body = {**_course_body(FrameworkFactory(), InstitutionFactory()), **changes()}
    response = api.post("/api/v1/courses/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]
    assert not Course.objects.exists()


def test_course_edit_needs_if_match_and_refuses_a_stale_one(api):
    course = CourseFactory(title="Old title")
    url = f"/api/v1/courses/{course.uuid}/"
    assert api.patch(url, {"title": "No precondition"}).status_code == 428
    first = api.patch(url, {"title": "First"}, HTTP_IF_MATCH='"1"')
    assert (first.status_code, first["ETag"]) == (200, '"2"')
    stale = api.patch(url, {"title": "Second"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current"]["title"] == "First"
    assert stale["ETag"] == '"2"'
    refused = api.patch(url, {"ects": "-3"}, HTTP_IF_MATCH='"2"')
    assert refused.json() == {"ects": ["ECTS credits cannot be negative."]}
    course.refresh_from_db()
    assert (course.title, course.ects, course.revision) == ("First", 10, 2)


def test_course_framework_changes_only_by_remap(api):
    course = CourseFactory()
    response = api.patch(
        f"/api/v1/courses/{course.uuid}/",
        {"framework": str(FrameworkFactory().uuid)},
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert f"/api/v1/courses/{course.uuid}/remap/" in response.json()["framework"][0]


def test_course_delete_needs_the_current_revision(api):
    course = CourseFactory()
    url = f"/api/v1/courses/{course.uuid}/"
    assert api.delete(url).status_code == 428
    assert api.delete(url, HTTP_IF_MATCH='"7"').status_code == 412
    assert api.delete(url, HTTP_IF_MATCH='"1"').status_code == 204
    assert not Course.objects.exists()


def test_rollover_copies_the_course_to_another_year(api):
    mapping = OutcomeMappingFactory(emphasis="R", note="Seminar 2")
    course = mapping.outcome.course
    url = f"/api/v1/courses/{course.uuid}/rollover/"
    response = api.post(url, {"academic_year": 2027})
    assert response.status_code == 201, response.json()
    assert response.json()["academic_year_label"] == "2027/28"
    assert response.json()["rolled_over_from"] == str(course.uuid)
    copy = Course.objects.get(uuid=response.json()["id"])
    assert list(
        OutcomeMapping.objects.filter(outcome__course=copy).values_list(
            "outcome__code", "capability", "emphasis", "note"
        )
    ) == [(mapping.outcome.code, mapping.capability.pk, "R", "Seminar 2")]
    again = api.post(url, {"academic_year": 2027})
    assert again.status_code == 400
    assert "already has a course" in again.json()["code"][0]
    assert Course.objects.count() == 2


def test_remap_follows_lineage_and_reports_what_it_could_not_carry(api):
    old = FrameworkFactory(slug="eisen", version_label="1.0")
    kept = CapabilityFactory(domain__framework=old, code="K1")
    removed = CapabilityFactory(domain__framework=old, code="K2", title="Removed capability")
    new = FrameworkFactory(
        slug="eisen", version_label="2.0", published_at=old.published_at + timedelta(days=30)
    )
    successor = CapabilityFactory(domain__framework=new, code="K1", lineage=kept.lineage)
    course = CourseFactory(framework=old)
    outcome = LearningOutcomeFactory(course=course, code="LO1")
    OutcomeMappingFactory(outcome=outcome, capability=kept, emphasis="M")
    OutcomeMappingFactory(outcome=outcome, capability=removed, emphasis="I", note="Week 3")
    url = f"/api/v1/courses/{course.uuid}/"

    targets = api.get(f"{url}remap-targets/").json()
    assert [(target["id"], target["version_label"]) for target in targets] == [
        (str(new.uuid), "2.0")
    ]
    assert api.post(f"{url}remap/", {"framework": str(new.uuid)}).status_code == 428
    report = api.post(f"{url}remap/", {"framework": str(new.uuid)}, HTTP_IF_MATCH='"1"')
    assert report.status_code == 201, report.json()
    body = report.json()
    assert body["carried_over"] == 1
    assert [
        (item["outcome"], item["capability"], item["note"]) for item in body["not_carried_over"]
    ] == [("LO1", "K2", "Week 3")]
    assert body["to_framework"]["id"] == str(new.uuid)
    assert body["resolved_at"] is None
    assert list(OutcomeMapping.objects.values_list("capability", flat=True)) == [successor.pk]
    assert api.get(url).json()["framework"] == str(new.uuid)

    again = api.post(f"{url}remap/", {"framework": str(new.uuid)}, HTTP_IF_MATCH='"2"')
    assert again.status_code == 409
    assert "already maps to" in again.json()["detail"]

    reports = api.get(f"{url}remap-reports/").json()
    assert [item["id"] for item in reports] == [body["id"]]
    resolved = api.post(f"{url}remap-reports/{body['id']}/resolve/")
    assert resolved.json()["resolved_at"] is not None
    missing = api.post(f"{url}remap-reports/{body['id'] + 1}/resolve/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": f"{course.code} has no remap report {body['id'] + 1}."}


def test_remap_to_an_unrelated_framework_is_refused_and_changes_nothing(api):
    course = CourseFactory()
    framework = course.framework
    OutcomeMappingFactory(outcome__course=course)
    other = FrameworkFactory()
    response = api.post(
        f"/api/v1/courses/{course.uuid}/remap/",
        {"framework": str(other.uuid)},
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert "is not a later published version of" in response.json()["framework"][0]
    course.refresh_from_db()
    assert (course.framework, course.revision) == (framework, 1)
    assert not RemapReport.objects.exists()
    assert OutcomeMapping.objects.count() == 1


@pytest.mark.parametrize("course_count", [2, 25])
def test_course_list_costs_the_same_queries_at_any_size(
    api, django_assert_max_num_queries, course_count
):
    framework = FrameworkFactory()
    programme = ProgrammeFactory()
    source = CourseFactory(framework=framework, institution=programme.institution)
    for _ in range(course_count):
        CourseFactory(
            framework=framework,
            institution=programme.institution,
            programme=programme,
            rolled_over_from=source,
            leads=[UserFactory(), UserFactory()],
        )
    # The page of courses, their count and their leads.
    with django_assert_max_num_queries(3):
        response = api.get("/api/v1/courses/")
    assert response.json()["count"] == course_count + 1
