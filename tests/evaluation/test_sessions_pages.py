"""Focus group, participant, consent and identity pages: what they show and what they change."""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from evaluation.models import Consent, FocusGroup, Participant, ParticipantIdentity, Phase
from evaluation.services import sessions
from tests.evaluation.factories import (
    ConsentFactory,
    ExcerptFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return CourseFactory(code="IMP101", title="Implementation science")


@pytest.fixture
def focus_group(course):
    return FocusGroupFactory(course=course, title="Cohort 1, week 6", phase=Phase.FORMATIVE)


@pytest.fixture
def identity_keeper(evaluator):
    evaluator.user_permissions.add(Permission.objects.get(codename="view_identity_key"))
    client = Client()
    client.force_login(evaluator)
    return client


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# Focus groups


def test_focus_group_list_is_the_evaluation_home_and_filters_by_course_and_phase(
    evaluator_client, focus_group
):
    FocusGroupFactory(title="Summative round", phase=Phase.SUMMATIVE)
    url = reverse("evaluation:focus_group_list")
    assert url == "/evaluation/"

    def titles(**query):
        response = evaluator_client.get(url, query)
        return {item.title for item in response.context["page"].object_list}

    assert titles() == {"Cohort 1, week 6", "Summative round"}
    assert titles(course=focus_group.course.uuid) == {"Cohort 1, week 6"}
    assert titles(phase=Phase.SUMMATIVE) == {"Summative round"}


def test_focus_group_list_answers_htmx_with_the_results_only(evaluator_client, focus_group):
    response = evaluator_client.get(
        reverse("evaluation:focus_group_list"), {"phase": "formative"}, HTTP_HX_REQUEST="true"
    )
    html = html_of(response)
    assert html.startswith('\n<div id="focus-group-results"')
    assert "Cohort 1, week 6" in html
    assert "<nav" not in html.split("focus-group-results", 1)[0]


def test_focus_group_list_shows_the_current_transcript_and_whether_it_is_coded(
    evaluator_client, focus_group
):
    TranscriptFactory(focus_group=focus_group, version=1, is_current=False)
    current = TranscriptFactory(focus_group=focus_group, version=2)
    ExcerptFactory(transcript=current)

    html = html_of(evaluator_client.get(reverse("evaluation:focus_group_list")))

    row = html.split('data-focus-group="Cohort 1, week 6"', 1)[1].split("</tr>", 1)[0]
    assert "Version 2" in row
    assert reverse("evaluation:transcript_detail", args=[current.uuid]) in row
    assert "Coded" in row


def test_an_evaluator_creates_a_focus_group(evaluator_client, evaluator, course):
    response = evaluator_client.post(
        reverse("evaluation:focus_group_create"),
        {
            "course": course.uuid,
            "title": "Cohort 2, week 10",
            "phase": Phase.SUMMATIVE,
            "held_on": "2026-06-01",
            "mode": FocusGroup.Mode.IN_PERSON,
            "facilitator": "Evaluation team",
            "audience": FocusGroup.Audience.MIXED,
            "language": "nb",
            "retention_until": "2031-06-01",
            "notes": "",
        },
    )
    focus_group = FocusGroup.objects.get(title="Cohort 2, week 10")
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:focus_group_detail", args=[focus_group.uuid])
    assert focus_group.created_by == evaluator


def test_focus_group_form_shows_the_services_refusal_next_to_the_field(
    evaluator_client, focus_group
):
    response = evaluator_client.post(
        reverse("evaluation:focus_group_edit", args=[focus_group.uuid]),
        {
            "revision": 1,
            "course": focus_group.course.uuid,
            "title": focus_group.title,
            "phase": focus_group.phase,
            "held_on": "2026-06-01",
            "mode": focus_group.mode,
            "facilitator": "",
            "audience": focus_group.audience,
            "language": "en",
            "retention_until": "2026-05-01",
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["retention_until"] == [
        "Keep the transcripts at least until the session was held (2026-06-01)."
    ]


def test_a_stale_focus_group_edit_keeps_what_was_typed_and_shows_what_was_saved(
    evaluator_client, focus_group
):
    sessions.focus_group_update(focus_group=focus_group, expected_revision=1, facilitator="Kari")
    data = {
        "revision": 1,
        "course": focus_group.course.uuid,
        "title": "My new title",
        "phase": focus_group.phase,
        "held_on": "2026-06-01",
        "mode": focus_group.mode,
        "facilitator": "",
        "audience": focus_group.audience,
        "language": "en",
        "retention_until": "2031-06-01",
        "notes": "",
    }
    url = reverse("evaluation:focus_group_edit", args=[focus_group.uuid])

    response = evaluator_client.post(url, data)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this focus group" in html
    assert "My new title" in html
    assert response.context["form"]["revision"].value() == 2
    assert evaluator_client.post(url, {**data, "revision": 2}).status_code == 302


def test_deleting_a_focus_group_with_a_transcript_is_refused_with_the_reason(
    evaluator_client, focus_group
):
    TranscriptFactory(focus_group=focus_group)
    response = evaluator_client.post(
        reverse("evaluation:focus_group_delete", args=[focus_group.uuid]), {"revision": 1}
    )
    assert response.status_code == 409
    assert "has a transcript, so it is not deleted" in response.content.decode()
    assert FocusGroup.objects.filter(pk=focus_group.pk).exists()


def test_deleting_a_focus_group_without_transcript(evaluator_client, focus_group):
    response = evaluator_client.post(
        reverse("evaluation:focus_group_delete", args=[focus_group.uuid]), {"revision": 1}
    )
    assert response["Location"] == reverse("evaluation:focus_group_list")
    assert not FocusGroup.objects.filter(pk=focus_group.pk).exists()


def test_focus_group_page_shows_facts_participants_with_consent_and_transcript_versions(
    evaluator_client, focus_group
):
    quoted = ParticipantFactory(course=focus_group.course, pseudonym="S01", country="Sweden")
    withdrawn = ParticipantFactory(course=focus_group.course, pseudonym="S02", consented=False)
    ConsentFactory(
        participant=withdrawn,
        withdrawn_on=datetime.date(2026, 6, 2),
        withdrawn_scopes=["verbatim_quotes"],
    )
    silent = ParticipantFactory(course=focus_group.course, pseudonym="S03", consented=False)
    focus_group.participants.add(quoted, withdrawn, silent)
    first = TranscriptFactory(
        focus_group=focus_group, version=1, is_current=False, turns=[(quoted, "Hello.")]
    )
    ExcerptFactory(transcript=first)
    current = TranscriptFactory(
        focus_group=focus_group, version=2, previous=first, turns=[(quoted, "Hello there.")]
    )

    html = html_of(
        evaluator_client.get(reverse("evaluation:focus_group_detail", args=[focus_group.uuid]))
    )

    for fact in ("Formative", "2031-06-01", "Online with breakout rooms"):
        assert fact in html
    s01 = html.split('data-participant="S01"', 1)[1].split("</tr>", 1)[0]
    assert "Sweden" in s01
    assert "Verbatim quotes in reports" in s01
    s02 = html.split('data-participant="S02"', 1)[1].split("</tr>", 1)[0]
    assert "Withdrawn 2026-06-02" in s02
    assert "No consent recorded" in html.split('data-participant="S03"', 1)[1].split("</tr>")[0]
    v1 = html.split('data-version="1"', 1)[1].split("</tr>", 1)[0]
    assert "Coded: 1 excerpt" in v1
    v2 = html.split('data-version="2"', 1)[1].split("</tr>", 1)[0]
    assert "Current" in v2
    assert "Not coded" in v2
    assert reverse("evaluation:transcript_revise", args=[current.uuid]) in html
    assert reverse("evaluation:coding", args=[current.uuid]) in html


def test_focus_group_page_counts_only_the_agreed_coding_of_a_blind_transcript(
    evaluator_client, evaluator, focus_group
):
    participant = ParticipantFactory(course=focus_group.course, pseudonym="S01")
    transcript = TranscriptFactory(
        focus_group=focus_group, independent_coding=True, turns=[(participant, "Hello.")]
    )
    for _ in range(3):
        ExcerptFactory(transcript=transcript, coder=UserFactory(), in_analysis=False)
    url = reverse("evaluation:focus_group_detail", args=[focus_group.uuid])

    def coding_cell():
        html = html_of(evaluator_client.get(url))
        return html, html.split('data-version="1"', 1)[1].split("</tr>", 1)[0]

    html, cell = coding_cell()
    assert "No agreed coding yet" in cell
    assert "3 excerpts" not in html
    assert reverse("evaluation:transcript_create", args=[focus_group.uuid]) not in html

    ExcerptFactory(transcript=transcript, coder=evaluator, is_agreed=True, in_analysis=True)
    _html, cell = coding_cell()
    assert "Agreed coding: 1 excerpt" in cell


# Participants


def test_adding_a_participant_from_a_focus_group_attends_them_to_it(evaluator_client, focus_group):
    url = reverse("evaluation:participant_create") + f"?focus_group={focus_group.uuid}"
    form = evaluator_client.get(url).context["form"]
    assert list(form.fields["focus_groups"].queryset) == [focus_group]

    response = evaluator_client.post(
        url,
        {
            "course": focus_group.course.uuid,
            "pseudonym": "s07",
            "role": Participant.Role.STUDENT,
            "country": "Italy",
            "cohort": "2026",
            "focus_groups": [focus_group.uuid],
        },
    )

    assert response["Location"] == reverse("evaluation:focus_group_detail", args=[focus_group.uuid])
    assert list(focus_group.participants.values_list("pseudonym", flat=True)) == ["S07"]


def test_adding_several_participants_at_once(evaluator_client, focus_group):
    response = evaluator_client.post(
        reverse("evaluation:participant_create_many") + f"?focus_group={focus_group.uuid}",
        {
            "course": focus_group.course.uuid,
            "pseudonyms": "S01, S02\nS03",
            "role": Participant.Role.STUDENT,
            "focus_groups": [focus_group.uuid],
        },
    )
    assert response.status_code == 302
    assert sorted(focus_group.participants.values_list("pseudonym", flat=True)) == [
        "S01",
        "S02",
        "S03",
    ]


def test_adding_several_shows_every_problem_and_adds_none(evaluator_client, course):
    ParticipantFactory(course=course, pseudonym="S02")
    response = evaluator_client.post(
        reverse("evaluation:participant_create_many"),
        {"course": course.uuid, "pseudonyms": "S01 S02 Anna", "role": "student"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["pseudonyms"] == [
        "Not pseudonyms (one to three capital letters and a number, such as S03): ANNA.",
        "IMP101 already has S02.",
    ]
    assert course.participants.count() == 1


def test_participant_list_filters_by_course(evaluator_client, course):
    ParticipantFactory(course=course, pseudonym="S01")
    ParticipantFactory(pseudonym="S09")
    response = evaluator_client.get(reverse("evaluation:participant_list"), {"course": course.uuid})
    assert [str(p) for p in response.context["page"].object_list] == ["S01"]


def test_participant_page_shows_the_consent_history_with_the_one_in_force(evaluator_client, course):
    participant = ParticipantFactory(course=course, pseudonym="S04", consented=False)
    recorder = UserFactory(username="recorder")
    ConsentFactory(
        participant=participant,
        text_version="v1",
        given_on=datetime.date(2026, 1, 1),
        recorded_by=recorder,
    )
    ConsentFactory(
        participant=participant,
        text_version="v2",
        scopes=["take_part", "transcription"],
        given_on=datetime.date(2026, 2, 1),
    )

    html = html_of(
        evaluator_client.get(reverse("evaluation:participant_detail", args=[participant.uuid]))
    )

    in_force = html.split('data-testid="consent-in-force"', 1)[1].split("</p>", 1)[0]
    assert "Take part, Transcription" in in_force
    assert "Verbatim" not in in_force
    history = html.split('class="data-table consent-table"', 1)[1].split("</table>", 1)[0]
    assert history.index("<td>v2</td>") < history.index("<td>v1</td>")
    assert "recorder" in history


def test_recording_and_withdrawing_consent_through_the_pages(evaluator_client, evaluator, course):
    participant = ParticipantFactory(course=course, consented=False)
    response = evaluator_client.post(
        reverse("evaluation:consent_create", args=[participant.uuid]),
        {
            "text_version": "v2 2026-01",
            "scopes": ["take_part", "transcription", "verbatim_quotes"],
            "given_on": "2026-01-15",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(participant=participant)
    assert consent.recorded_by == evaluator

    form = evaluator_client.get(
        reverse("evaluation:consent_withdraw", args=[participant.uuid])
    ).context["form"]
    assert [value for value, _label in form.fields["withdrawn_scopes"].choices] == [
        "take_part",
        "transcription",
        "verbatim_quotes",
    ]
    evaluator_client.post(
        reverse("evaluation:consent_withdraw", args=[participant.uuid]),
        {"withdrawn_scopes": ["verbatim_quotes"], "withdrawn_on": "2026-03-01"},
    )
    consent.refresh_from_db()
    assert consent.withdrawn_scopes == ["verbatim_quotes"]


def test_a_consent_without_take_part_is_refused_next_to_the_scopes(evaluator_client, course):
    participant = ParticipantFactory(course=course, consented=False)
    response = evaluator_client.post(
        reverse("evaluation:consent_create", args=[participant.uuid]),
        {"text_version": "v1", "scopes": ["reuse"], "given_on": "2026-01-15"},
    )
    assert "Tick “Take part”" in response.context["form"].errors["scopes"][0]
    assert not Consent.objects.exists()


def test_editing_a_participant(evaluator_client, course, focus_group):
    participant = ParticipantFactory(course=course, pseudonym="S01")
    response = evaluator_client.post(
        reverse("evaluation:participant_edit", args=[participant.uuid]),
        {
            "revision": 1,
            "pseudonym": "S01",
            "role": Participant.Role.STAKEHOLDER,
            "country": "Denmark",
            "cohort": "",
            "focus_groups": [focus_group.uuid],
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.role, participant.country, participant.revision) == (
        "stakeholder",
        "Denmark",
        2,
    )
    assert list(participant.focus_groups.all()) == [focus_group]


# Identity key


def test_without_the_permission_the_page_does_not_show_an_identity_exists(
    evaluator_client, settings, course
):
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]
    participant = ParticipantFactory(course=course)
    sessions.identity_set(participant=participant, name="Anna Berg")

    html = html_of(
        evaluator_client.get(reverse("evaluation:participant_detail", args=[participant.uuid]))
    )

    assert "Anna Berg" not in html
    assert "Identity key" not in html
    assert reverse("evaluation:participant_identity", args=[participant.uuid]) not in html
    for name in ("participant_identity", "participant_identity_remove"):
        url = reverse(f"evaluation:{name}", args=[participant.uuid])
        assert evaluator_client.post(url, {"name": "X"}).status_code == 403
    assert (
        evaluator_client.get(
            reverse("evaluation:participant_identity", args=[participant.uuid])
        ).status_code
        == 403
    )


def test_an_identity_keeper_stores_sees_and_removes_an_identity(identity_keeper, settings, course):
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]
    participant = ParticipantFactory(course=course)
    url = reverse("evaluation:participant_identity", args=[participant.uuid])

    identity_keeper.post(url, {"name": "Anna Berg", "email": "anna@example.org"})
    page = html_of(
        identity_keeper.get(reverse("evaluation:participant_detail", args=[participant.uuid]))
    )
    assert "Anna Berg" in page.split('data-testid="identity"', 1)[1]
    assert identity_keeper.get(url).context["form"].initial["email"] == "anna@example.org"

    identity_keeper.post(reverse("evaluation:participant_identity_remove", args=[participant.uuid]))
    assert not ParticipantIdentity.objects.exists()


def test_without_a_key_the_identity_page_says_so_and_refuses_to_store(
    identity_keeper, settings, course
):
    settings.EISEN_IDENTITY_KEYS = []
    participant = ParticipantFactory(course=course)
    url = reverse("evaluation:participant_identity", args=[participant.uuid])

    assert "No identity key is set (EISEN_IDENTITY_KEY)" in html_of(identity_keeper.get(url))
    response = identity_keeper.post(url, {"name": "Anna Berg"})
    assert "Fernet.generate_key().decode()" in str(response.context["form"].non_field_errors())
    assert not ParticipantIdentity.objects.exists()


def test_an_identity_the_keys_no_longer_open_is_reported_not_shown(
    identity_keeper, settings, course
):
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]
    participant = ParticipantFactory(course=course)
    sessions.identity_set(participant=participant, name="Anna Berg")
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]

    html = html_of(
        identity_keeper.get(reverse("evaluation:participant_detail", args=[participant.uuid]))
    )

    assert "no longer in EISEN_IDENTITY_KEY" in html
    assert "Anna Berg" not in html
