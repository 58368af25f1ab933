"""Learning outcomes on the course page: add, edit in place, stale edits, reorder, delete."""

import pytest
from django.urls import reverse

from courses.models import LearningOutcome, OutcomeMapping
from courses.services import outcomes as outcome_services
from tests.factories import CourseFactory, LearningOutcomeFactory, OutcomeMappingFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def course(course_lead):
    return CourseFactory(code="IMP101", leads=[course_lead])


@pytest.fixture
def outcome(course):
    return outcome_services.outcome_create(
        course=course, text="Explain the main implementation frameworks."
    )


def _codes(course):
    return list(course.outcomes.order_by("position").values_list("code", flat=True))


def _edit(client, outcome, **fields):
    data = {
        "revision": outcome.revision,
        "code": outcome.code,
        "text": outcome.text,
        "bloom_level": "",
        **fields,
    }
    url = reverse("courses:outcome_edit", args=[outcome.course.uuid, outcome.uuid])
    return client.post(url, data, **HTMX)


def test_adding_an_outcome_returns_the_list_with_its_suggested_level(lead_client, course):
    response = lead_client.post(
        reverse("courses:outcome_add", args=[course.uuid]),
        {"new-outcome-text": "Design a stakeholder engagement plan.", "new-outcome-code": ""},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="outcomes"')
    assert "Design a stakeholder engagement plan." in html
    assert "Bloom: Create" in html
    assert "suggested from “design”" in html
    outcome = course.outcomes.get()
    assert (outcome.code, outcome.bloom_level, outcome.bloom_level_chosen) == (
        "LO1",
        "create",
        False,
    )


def test_an_outcome_without_an_observable_verb_gets_the_gentle_warning(lead_client, course):
    html = lead_client.post(
        reverse("courses:outcome_add", args=[course.uuid]),
        {"new-outcome-text": "Appreciate the value of co-production."},
        **HTMX,
    ).content.decode()
    assert "“appreciate” cannot be observed or assessed" in html
    assert "No Bloom level" in html


def test_an_empty_outcome_or_a_taken_code_is_refused_and_the_text_kept(
    lead_client, course, outcome
):
    url = reverse("courses:outcome_add", args=[course.uuid])
    empty = lead_client.post(url, {"new-outcome-text": "  "}, **HTMX).content.decode()
    assert "This field is required." in empty
    taken = lead_client.post(
        url, {"new-outcome-text": "Apply a logic model.", "new-outcome-code": "LO1"}, **HTMX
    ).content.decode()
    assert "This course already has an outcome LO1." in taken
    assert "Apply a logic model." in taken
    assert _codes(course) == ["LO1"]


def test_adding_without_htmx_goes_back_to_the_course_page(lead_client, course):
    response = lead_client.post(
        reverse("courses:outcome_add", args=[course.uuid]),
        {"new-outcome-text": "Apply a logic model."},
    )
    assert response.url == f"{course.get_absolute_url()}#outcomes"
    assert _codes(course) == ["LO1"]


def test_the_edit_form_replaces_the_outcome_in_place(lead_client, outcome):
    url = reverse("courses:outcome_edit", args=[outcome.course.uuid, outcome.uuid])
    html = lead_client.get(url, **HTMX).content.decode()
    assert html.lstrip().startswith(f'<li id="outcome-{outcome.uuid}"')
    assert f'id="edit-{outcome.uuid}-text"' in html
    assert '<option value="" selected>Suggest from the verb</option>' in html
    full_page = lead_client.get(url).content.decode()
    assert "<html" in full_page


def test_saving_an_edit_returns_the_row_and_a_chosen_level_overrides_the_verb(lead_client, outcome):
    response = _edit(
        lead_client, outcome, text="Evaluate implementation outcomes.", bloom_level="create"
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="outcome-{outcome.uuid}"')
    assert "Bloom: Create" in html
    assert "chosen by the lead" in html
    outcome.refresh_from_db()
    assert (outcome.text, outcome.bloom_level, outcome.bloom_level_chosen, outcome.revision) == (
        "Evaluate implementation outcomes.",
        "create",
        True,
        2,
    )
    back = _edit(lead_client, outcome, bloom_level="")
    assert "suggested from “evaluate”" in back.content.decode()


def test_stale_outcome_edit_shows_theirs_and_keeps_what_was_typed(lead_client, outcome):
    outcome_services.outcome_update(
        outcome=outcome, expected_revision=1, text="Apply theirs to a case."
    )
    response = _edit(lead_client, outcome, text="Analyse my own typed text.")
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this learning outcome while you were editing it." in html
    assert "Apply theirs to a case." in html
    assert "Analyse my own typed text.</textarea>" in html
    assert 'name="revision" value="2"' in html
    outcome.refresh_from_db()
    assert outcome.text == "Apply theirs to a case."

    # Saving again, now against their revision, is a deliberate overwrite.
    again = lead_client.post(
        reverse("courses:outcome_edit", args=[outcome.course.uuid, outcome.uuid]),
        {"revision": 2, "code": "LO1", "text": "Analyse my own typed text.", "bloom_level": ""},
        **HTMX,
    )
    assert again.status_code == 200
    outcome.refresh_from_db()
    assert outcome.text == "Analyse my own typed text."


def test_an_edit_to_a_taken_code_is_refused_on_the_field(lead_client, course, outcome):
    outcome_services.outcome_create(course=course, text="Apply a logic model.")
    html = _edit(lead_client, outcome, code="LO2").content.decode()
    assert "This course already has an outcome LO2." in html
    outcome.refresh_from_db()
    assert (outcome.code, outcome.revision) == ("LO1", 1)


def test_cancel_returns_the_row_as_it_is(lead_client, outcome):
    html = lead_client.get(
        reverse("courses:outcome_row", args=[outcome.course.uuid, outcome.uuid]), **HTMX
    ).content.decode()
    assert html.lstrip().startswith(f'<li id="outcome-{outcome.uuid}"')
    assert "Explain the main implementation frameworks." in html


def test_moving_outcomes_up_and_down(lead_client, course, outcome):
    second = outcome_services.outcome_create(course=course, text="Apply a logic model.")
    move = "courses:outcome_move"
    response = lead_client.post(reverse(move, args=[course.uuid, second.uuid, "up"]), **HTMX)
    assert response.status_code == 200
    assert _codes(course) == ["LO2", "LO1"]
    lead_client.post(reverse(move, args=[course.uuid, second.uuid, "down"]), **HTMX)
    assert _codes(course) == ["LO1", "LO2"]
    sideways = lead_client.post(reverse(move, args=[course.uuid, second.uuid, "sideways"]))
    assert sideways.status_code == 404


def test_deleting_an_outcome_removes_its_mappings(lead_client, course, outcome):
    OutcomeMappingFactory(outcome=outcome)
    response = lead_client.post(
        reverse("courses:outcome_delete", args=[course.uuid, outcome.uuid]),
        {"revision": 1},
        **HTMX,
    )
    assert "No learning outcomes yet." in response.content.decode()
    assert not LearningOutcome.objects.exists()
    assert not OutcomeMapping.objects.exists()


def test_deleting_an_outcome_someone_just_changed_is_refused(lead_client, course, outcome):
    outcome_services.outcome_update(outcome=outcome, expected_revision=1, text="Apply theirs.")
    html = lead_client.post(
        reverse("courses:outcome_delete", args=[course.uuid, outcome.uuid]),
        {"revision": 1},
        **HTMX,
    ).content.decode()
    assert "Someone else changed LO1 while you were looking at it" in html
    assert "Apply theirs." in html
    assert LearningOutcome.objects.filter(pk=outcome.pk).exists()


def test_an_outcome_of_another_course_is_not_found_through_this_one(lead_client, course):
    elsewhere = LearningOutcomeFactory()
    url = reverse("courses:outcome_edit", args=[course.uuid, elsewhere.uuid])
    assert lead_client.get(url).status_code == 404
