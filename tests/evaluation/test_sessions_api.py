"""The API of focus groups, participants, consent records and the identity key."""

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission
from django.utils.functional import Promise
from rest_framework.test import APIClient

from evaluation.api.sessions import ConsentFilter, FocusGroupFilter, ParticipantFilter
from evaluation.models import Consent, FocusGroup, Participant, ParticipantIdentity
from tests.evaluation.factories import (
    ConsentFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/evaluation"


@pytest.fixture
def api(evaluator):
    client = APIClient()
    client.force_authenticate(evaluator)
    return client


@pytest.fixture
def course():
    return CourseFactory(code="IMP101")


def focus_group_body(course, **changes):
    return {
        "course": str(course.uuid),
        "title": "Cohort 1, week 6",
        "phase": "formative",
        "held_on": "2026-03-02",
        "mode": "online_breakout",
        "facilitator": "EISEN team",
        "audience": "students",
        "language": "en",
        "retention_until": "2031-03-02",
        **changes,
    }


# Focus groups


def test_focus_groups_are_created_read_and_filtered(api, evaluator, course):
    created = api.post(f"{BASE}/focus-groups/", focus_group_body(course), format="json")
    assert created.status_code == 201, created.data
    assert created["ETag"] == '"1"'
    assert created.data["course_code"] == "IMP101"
    assert created.data["current_transcript"] is None
    assert FocusGroup.objects.get().created_by == evaluator
    FocusGroupFactory(phase="summative")

    listed = api.get(f"{BASE}/focus-groups/", {"course": course.uuid}).data["results"]
    assert [row["title"] for row in listed] == ["Cohort 1, week 6"]
    assert len(api.get(f"{BASE}/focus-groups/", {"phase": "summative"}).data["results"]) == 1


def test_focus_group_refusals_name_the_field(api, course):
    api.post(f"{BASE}/focus-groups/", focus_group_body(course), format="json")
    twice = api.post(f"{BASE}/focus-groups/", focus_group_body(course), format="json")
    assert twice.status_code == 400
    assert twice.data["title"] == ["IMP101 already has a focus group called “Cohort 1, week 6”."]
    early = api.post(
        f"{BASE}/focus-groups/",
        focus_group_body(course, title="Other", retention_until="2026-01-01"),
        format="json",
    )
    assert "at least until the session was held" in early.data["retention_until"][0]


def test_focus_group_changes_need_the_etag_and_a_stale_one_answers_412(api, course):
    focus_group = FocusGroupFactory(course=course)
    url = f"{BASE}/focus-groups/{focus_group.uuid}/"

    assert api.patch(url, {"facilitator": "Kari"}, format="json").status_code == 428
    changed = api.patch(url, {"facilitator": "Kari"}, format="json", HTTP_IF_MATCH='"1"')
    assert (changed.status_code, changed.data["facilitator"], changed["ETag"]) == (
        200,
        "Kari",
        '"2"',
    )
    stale = api.patch(url, {"facilitator": "Lars"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.data["current"]["facilitator"] == "Kari"


def test_a_focus_group_with_a_transcript_answers_409_to_delete(api, course):
    focus_group = FocusGroupFactory(course=course)
    TranscriptFactory(focus_group=focus_group)
    response = api.delete(f"{BASE}/focus-groups/{focus_group.uuid}/", HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert "has a transcript" in response.data["detail"]
    empty = FocusGroupFactory(course=course)
    assert api.delete(f"{BASE}/focus-groups/{empty.uuid}/", HTTP_IF_MATCH='"1"').status_code == 204


# Participants


def test_participants_carry_their_consent_in_force(api, course):
    participant = ParticipantFactory(course=course, pseudonym="S01", consented=False)
    ConsentFactory(participant=participant, text_version="v1", given_on="2026-01-01")
    ConsentFactory(
        participant=participant,
        text_version="v2",
        given_on="2026-02-01",
        withdrawn_on="2026-03-01",
        withdrawn_scopes=["reuse"],
    )
    ParticipantFactory(course=course, pseudonym="S02", consented=False)

    rows = api.get(f"{BASE}/participants/", {"course": course.uuid}).data["results"]

    assert [row["pseudonym"] for row in rows] == ["S01", "S02"]
    in_force = rows[0]["consent_in_force"]
    assert in_force["text_version"] == "v2"
    assert in_force["withdrawn_scopes"] == ["reuse"]
    assert in_force["scopes_in_force"] == [
        "take_part",
        "recording",
        "transcription",
        "verbatim_quotes",
    ]
    assert rows[1]["consent_in_force"] is None


def test_participants_are_created_one_or_several_at_once(api, course):
    focus_group = FocusGroupFactory(course=course)
    one = api.post(
        f"{BASE}/participants/",
        {
            "course": str(course.uuid),
            "pseudonym": "t01",
            "role": "teacher",
            "focus_groups": [str(focus_group.uuid)],
        },
        format="json",
    )
    assert one.status_code == 201, one.data
    assert one.json()["pseudonym"] == "T01"
    assert one.json()["focus_groups"] == [str(focus_group.uuid)]

    several = api.post(
        f"{BASE}/participants/several/",
        {"course": str(course.uuid), "pseudonyms": "S01, S02", "role": "student"},
        format="json",
    )
    assert several.status_code == 201
    assert [row["pseudonym"] for row in several.data] == ["S01", "S02"]

    refused = api.post(
        f"{BASE}/participants/several/",
        {"course": str(course.uuid), "pseudonyms": "S02 S03", "role": "student"},
        format="json",
    )
    assert refused.data["pseudonyms"] == ["IMP101 already has S02."]
    assert not Participant.objects.filter(pseudonym="S03").exists()


def test_a_participants_course_cannot_change(api, course):
    participant = ParticipantFactory(course=course)
    response = api.patch(
        f"{BASE}/participants/{participant.uuid}/",
        {"course": str(CourseFactory().uuid), "country": "Italy"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert "course cannot change" in response.data["course"][0]


def test_a_stale_participant_edit_answers_412_with_the_consent_in_force(api, course):
    participant = ParticipantFactory(course=course, pseudonym="S01")
    url = f"{BASE}/participants/{participant.uuid}/"
    api.patch(url, {"country": "Italy"}, format="json", HTTP_IF_MATCH='"1"')

    stale = api.patch(url, {"country": "Spain"}, format="json", HTTP_IF_MATCH='"1"')

    assert (stale.status_code, stale["ETag"]) == (412, '"2"')
    assert stale.data["current"]["country"] == "Italy"
    assert stale.data["current"]["consent_in_force"]["text_version"]


def test_a_participant_is_not_deleted_through_participants_but_erased(api, course):
    participant = ParticipantFactory(course=course)

    response = api.delete(f"{BASE}/participants/{participant.uuid}/", HTTP_IF_MATCH='"1"')

    assert response.status_code == 405
    assert Participant.objects.filter(pk=participant.pk).exists()


# Consents


def test_consents_are_recorded_by_the_requester_and_withdrawn(api, evaluator, course):
    participant = ParticipantFactory(course=course, consented=False)
    created = api.post(
        f"{BASE}/consents/",
        {
            "participant": str(participant.uuid),
            "text_version": "v1",
            "scopes": ["take_part", "transcription", "verbatim_quotes"],
            "given_on": "2026-01-15",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["recorded_by"] == evaluator.username
    consent_id = created.data["id"]

    withdrawn = api.post(
        f"{BASE}/consents/{consent_id}/withdraw/",
        {"withdrawn_on": "2026-02-01", "scopes": ["take_part"]},
        format="json",
    )
    assert withdrawn.status_code == 200
    assert withdrawn.data["withdrawn_scopes"] == ["take_part", "transcription", "verbatim_quotes"]
    listed = api.get(f"{BASE}/consents/", {"participant": participant.uuid}).data["results"]
    assert [row["id"] for row in listed] == [consent_id]


def test_withdrawing_from_a_replaced_consent_answers_409(api, course):
    participant = ParticipantFactory(course=course, consented=False)
    old = ConsentFactory(participant=participant, given_on="2026-01-01")
    ConsentFactory(participant=participant, given_on="2026-02-01")
    response = api.post(
        f"{BASE}/consents/{old.pk}/withdraw/",
        {"withdrawn_on": "2026-03-01", "scopes": ["reuse"]},
        format="json",
    )
    assert response.status_code == 409
    assert Consent.objects.get(pk=old.pk).withdrawn_on is None


def test_a_consent_without_take_part_is_refused(api, course):
    participant = ParticipantFactory(course=course, consented=False)
    response = api.post(
        f"{BASE}/consents/",
        {
            "participant": str(participant.uuid),
            "text_version": "v1",
            "scopes": ["reuse"],
            "given_on": "2026-01-15",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "Tick “Take part”" in response.data["scopes"][0]


# Identity key


@pytest.fixture
def keeper_api(evaluator, settings):
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]
    evaluator.user_permissions.add(Permission.objects.get(codename="view_identity_key"))
    client = APIClient()
    client.force_authenticate(evaluator)
    return client


def test_an_identity_keeper_puts_reads_and_deletes_an_identity(keeper_api, course):
    participant = ParticipantFactory(course=course, pseudonym="S05")
    url = f"{BASE}/identities/{participant.uuid}/"

    assert keeper_api.get(url).status_code == 404
    put = keeper_api.put(url, {"name": "Anna Berg", "email": "anna@example.org"}, format="json")
    assert put.status_code == 200, put.data
    read = keeper_api.get(url).data
    assert (read["pseudonym"], read["name"], read["email"]) == (
        "S05",
        "Anna Berg",
        "anna@example.org",
    )
    assert b"Anna" not in bytes(ParticipantIdentity.objects.get().encrypted_name)

    assert keeper_api.delete(url).status_code == 204
    assert not ParticipantIdentity.objects.exists()


def test_without_a_key_putting_an_identity_is_refused_with_how_to_make_one(
    keeper_api, settings, course
):
    settings.EISEN_IDENTITY_KEYS = []
    participant = ParticipantFactory(course=course)
    response = keeper_api.put(
        f"{BASE}/identities/{participant.uuid}/", {"name": "Anna Berg"}, format="json"
    )
    assert response.status_code == 400
    assert "EISEN_IDENTITY_KEY" in response.data["non_field_errors"][0]


def test_an_identity_the_keys_cannot_open_answers_503(keeper_api, settings, course):
    participant = ParticipantFactory(course=course)
    url = f"{BASE}/identities/{participant.uuid}/"
    keeper_api.put(url, {"name": "Anna Berg"}, format="json")
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]
    response = keeper_api.get(url)
    assert response.status_code == 503
    assert "no longer in EISEN_IDENTITY_KEY" in response.data["detail"]


def test_participants_show_no_sign_of_an_identity(api, keeper_api, course):
    participant = ParticipantFactory(course=course)
    keeper_api.put(f"{BASE}/identities/{participant.uuid}/", {"name": "Anna Berg"}, format="json")
    row = api.get(f"{BASE}/participants/{participant.uuid}/").data
    assert "identity" not in str(row)
    assert "Anna" not in str(row)


@pytest.mark.parametrize("filterset", [FocusGroupFilter, ParticipantFilter, ConsentFilter])
def test_filter_labels_are_translated_when_shown_not_when_imported(filterset):
    labels = [item.label for item in filterset.declared_filters.values()]
    assert labels
    assert all(isinstance(label, Promise) for label in labels)
