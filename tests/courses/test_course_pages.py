"""Course list and page, creating, changing and deleting courses; institutions and programmes."""

import pytest
from django.urls import reverse

from courses.models import Course, Institution, Programme
from courses.services import catalogue
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
def course(course_lead):
    return CourseFactory(
        code="IMP101", title="Implementation science", leads=[course_lead], ects=10
    )


def _course_data(course_or_none=None, **changes):
    institution = course_or_none.institution if course_or_none else InstitutionFactory()
    data = {
        "institution": institution.pk,
        "programme": "",
        "code": "IMP200",
        "title": "Co-producing research",
        "eqf_level": 7,
        "ects": "7.5",
        "academic_year": 2026,
        "semester": 1,
        "delivery_mode": Course.DeliveryMode.ONLINE,
        "description": "",
    }
    data.update(changes)
    return data


# The list


def test_list_shows_counts_of_outcomes_and_mapped_outcomes_and_example_badges(client, designer):
    course = CourseFactory(code="EX1", is_example=True)
    first, _unmapped = LearningOutcomeFactory.create_batch(2, course=course)
    OutcomeMappingFactory.create_batch(2, outcome=first)
    LearningOutcomeFactory(course=CourseFactory(code="OTHER"))
    client.force_login(designer)

    html = client.get(reverse("courses:course_list")).content.decode()

    row = html.split('data-course="EX1"', 1)[1].split("</tr>", 1)[0]
    assert "1 of 2" in row
    assert '<span class="badge">Example</span>' in row
    assert "New course" in html


def test_list_filters_by_institution_programme_year_and_level(client, plain_user):
    programme = ProgrammeFactory(phd=True)
    phd = CourseFactory(
        code="PHD1", institution=programme.institution, programme=programme, eqf_level=8
    )
    CourseFactory(code="MSC1", academic_year=2025)
    client.force_login(plain_user)

    def codes(**query):
        page = client.get(reverse("courses:course_list"), query).context["page"]
        return {course.code for course in page.object_list}

    assert codes() == {"PHD1", "MSC1"}
    assert codes(institution=phd.institution.pk) == {"PHD1"}
    assert codes(programme=programme.pk) == {"PHD1"}
    assert codes(academic_year=2025) == {"MSC1"}
    assert codes(eqf_level=8) == {"PHD1"}
    refused = client.get(reverse("courses:course_list"), {"eqf_level": 6})
    assert codes(eqf_level=6) == set()
    assert "Select a valid choice" in refused.content.decode()


@pytest.mark.parametrize("role_client", ["evaluator", "plain_user"], indirect=True)
def test_readers_are_not_offered_a_new_course(role_client):
    assert "New course" not in role_client.get(reverse("courses:course_list")).content.decode()


@pytest.mark.parametrize("size", [1, 6])
def test_course_list_costs_the_same_queries_at_any_size(
    client, plain_user, size, django_assert_max_num_queries
):
    for _ in range(size):
        course = CourseFactory(leads=UserFactory.create_batch(2), programme=None)
        for outcome in LearningOutcomeFactory.create_batch(3, course=course):
            OutcomeMappingFactory(outcome=outcome)
    client.force_login(plain_user)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("courses:course_list"))
    assert len(response.context["page"].object_list) == size


# The course page


def test_course_page_shows_outcomes_bloom_levels_warnings_and_mappings(client, evaluator, course):
    capability = CapabilityFactory(
        domain__framework=course.framework, code="K3", title="Implementation theories"
    )
    suggested = LearningOutcomeFactory(
        course=course, code="LO1", text="Critically appraise strategies.", bloom_level="analyse"
    )
    LearningOutcomeFactory(
        course=course,
        code="LO2",
        text="Understand stakeholder engagement.",
        bloom_level="evaluate",
        bloom_level_chosen=True,
    )
    OutcomeMappingFactory(
        outcome=suggested, capability=capability, emphasis="R", note="Through the case study."
    )
    client.force_login(evaluator)

    html = client.get(course.get_absolute_url()).content.decode()

    first = html.split('id="outcome-', 2)[1]
    assert "Bloom: Analyse" in first
    assert "suggested from “appraise”" in first
    assert "Reinforced" in first
    assert "K3" in first
    assert "Implementation theories" in first
    assert "Through the case study." in first
    second = html.split('id="outcome-', 3)[2]
    assert "Bloom: Evaluate" in second
    assert "chosen by the lead" in second
    assert "“understand” cannot be observed or assessed" in second
    # A reader sees no controls that change the course.
    assert "Edit course" not in html
    assert "Add a learning outcome" not in html
    assert "Map LO1" not in html


def test_lead_sees_the_editing_controls_and_the_links_to_grid_and_rollover(lead_client, course):
    LearningOutcomeFactory(course=course, code="LO1")
    html = lead_client.get(course.get_absolute_url()).content.decode()
    for control in (
        "Edit course",
        "Add a learning outcome",
        "Map LO1",
        'aria-label="Move LO1 up"',
        'aria-label="Delete LO1"',
        reverse("courses:grid", args=[course.uuid]),
        reverse("courses:course_rollover", args=[course.uuid]),
        reverse("courses:course_remap", args=[course.uuid]),
    ):
        assert control in html, control


@pytest.mark.parametrize("size", [1, 8])
def test_course_page_costs_the_same_queries_at_any_size(
    client, course, course_lead, size, django_assert_max_num_queries
):
    for outcome in LearningOutcomeFactory.create_batch(size, course=course):
        OutcomeMappingFactory.create_batch(3, outcome=outcome)
    client.force_login(course_lead)
    with django_assert_max_num_queries(8):
        response = client.get(course.get_absolute_url())
    assert len(response.context["outcomes"]) == size


def test_unknown_course_is_404(lead_client):
    url = reverse("courses:course_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert lead_client.get(url).status_code == 404


# Creating, changing and deleting


def test_course_lead_creating_a_course_becomes_its_lead(lead_client, course_lead):
    framework = FrameworkFactory()
    response = lead_client.post(
        reverse("courses:course_create"), _course_data(framework=framework.pk)
    )
    course = Course.objects.get(code="IMP200")
    assert response.url == course.get_absolute_url()
    assert list(course.leads.all()) == [course_lead]
    assert course.framework == framework


def test_designer_chooses_the_leads_of_a_new_course(designer_client, course_lead):
    framework = FrameworkFactory()
    designer_client.post(
        reverse("courses:course_create"),
        _course_data(framework=framework.pk, leads=[course_lead.pk]),
    )
    assert list(Course.objects.get(code="IMP200").leads.all()) == [course_lead]


def test_course_form_offers_only_published_framework_versions(designer_client):
    published = FrameworkFactory(title="Published one")
    FrameworkFactory(title="Draft one", draft=True)
    html = designer_client.get(reverse("courses:course_create")).content.decode()
    assert f'value="{published.pk}"' in html
    assert "Draft one" not in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"eqf_level": 6}, "The EQF level must be 7 (MSc) or 8 (PhD)."),
        ({"eqf_level": 9}, "The EQF level must be 7 (MSc) or 8 (PhD)."),
        ({"ects": "-5"}, "ECTS credits cannot be negative."),
    ],
)
def test_bad_course_input_is_refused_with_a_clear_message(designer_client, changes, message):
    framework = FrameworkFactory()
    response = designer_client.post(
        reverse("courses:course_create"), _course_data(framework=framework.pk, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Course.objects.exists()


def test_a_course_code_taken_that_year_names_the_field(designer_client, course):
    response = designer_client.post(
        reverse("courses:course_create"),
        _course_data(course, code="IMP101", framework=course.framework.pk),
    )
    assert "already has a course IMP101 in 2026/27" in response.content.decode()
    assert Course.objects.count() == 1


def test_lead_edits_the_course_and_keeps_its_leads(lead_client, course, course_lead):
    response = lead_client.post(
        reverse("courses:course_edit", args=[course.uuid]),
        _course_data(course, code="IMP101", title="Renamed", revision=1),
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.title, course.revision) == ("Renamed", 2)
    assert list(course.leads.all()) == [course_lead]


def test_edit_form_refuses_negative_ects_and_saves_nothing(lead_client, course):
    response = lead_client.post(
        reverse("courses:course_edit", args=[course.uuid]),
        _course_data(course, code="IMP101", ects="-1", revision=1),
    )
    assert "ECTS credits cannot be negative." in response.content.decode()
    course.refresh_from_db()
    assert (course.ects, course.revision) == (10, 1)


def test_stale_course_edit_shows_theirs_and_keeps_what_was_typed(lead_client, course):
    catalogue.course_update(course=course, expected_revision=1, description="Saved by them.")
    response = lead_client.post(
        reverse("courses:course_edit", args=[course.uuid]),
        _course_data(course, code="IMP101", description="Typed by me.", revision=1),
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this course while you were editing it." in html
    assert "Saved by them." in html
    assert "Typed by me." in html
    assert 'name="revision" value="2"' in html
    course.refresh_from_db()
    assert course.description == "Saved by them."


def test_deleting_a_course_asks_first_then_deletes_it(lead_client, course):
    LearningOutcomeFactory(course=course)
    url = reverse("courses:course_delete", args=[course.uuid])
    confirm = lead_client.get(url).content.decode()
    assert "Its 1 learning outcome and its 0 mappings go with it." in confirm
    response = lead_client.post(url, {"revision": 1})
    assert response.url == reverse("courses:course_list")
    assert not Course.objects.filter(pk=course.pk).exists()


def test_deleting_a_course_changed_meanwhile_asks_again(lead_client, course):
    catalogue.course_update(course=course, expected_revision=1, title="Changed")
    response = lead_client.post(
        reverse("courses:course_delete", args=[course.uuid]), {"revision": 1}
    )
    assert response.status_code == 409
    assert "Someone else changed this course" in response.content.decode()
    assert Course.objects.filter(pk=course.pk).exists()


# Institutions and programmes


def test_designer_adds_an_institution_and_a_programme(designer_client):
    designer_client.post(
        reverse("courses:institution_create"), {"name": "Karolinska Institutet", "country": "SE"}
    )
    institution = Institution.objects.get(name="Karolinska Institutet")
    response = designer_client.post(
        reverse("courses:programme_create", args=[institution.pk]),
        {"name": "PhD in implementation", "award": "PhD", "eqf_level": 8, "ects": 240},
    )
    assert response.url == reverse("courses:institution_list")
    listing = designer_client.get(reverse("courses:institution_list")).content.decode()
    assert "Karolinska Institutet" in listing
    assert "PhD in implementation" in listing


def test_programme_award_and_level_must_agree_and_names_are_unique(designer_client):
    programme = ProgrammeFactory(name="MSc Implementation")
    url = reverse("courses:programme_create", args=[programme.institution.pk])
    mismatch = designer_client.post(
        url, {"name": "New", "award": "MSc", "eqf_level": 8, "ects": 90}
    ).content.decode()
    assert "The award MSc is at EQF level 7." in mismatch
    taken = designer_client.post(
        reverse(
            "courses:programme_edit", args=[ProgrammeFactory(institution=programme.institution).pk]
        ),
        {"name": "MSc Implementation", "award": "MSc", "eqf_level": 7, "ects": 90},
    ).content.decode()
    assert "already has a programme called MSc Implementation" in taken
    assert Programme.objects.filter(name="MSc Implementation").count() == 1


def test_designer_renames_an_institution(designer_client):
    institution = InstitutionFactory(name="Old name")
    designer_client.post(
        reverse("courses:institution_edit", args=[institution.pk]),
        {"name": "Canterbury Christ Church University", "country": "UK"},
    )
    institution.refresh_from_db()
    assert institution.name == "Canterbury Christ Church University"
