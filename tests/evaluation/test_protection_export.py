"""Subject access: everything held about a participant, their identity only for those allowed."""

import datetime
import json

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from eisen.roles import Role
from evaluation.models import (
    ConsentScope,
    ExcerptCapability,
    ExcerptMechanism,
    ParticipantIdentity,
    Stance,
    Utterance,
    Valence,
)
from evaluation.services.subject_access import participant_data_export
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ConsentFactory,
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CapabilityFactory, CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

IDENTITY_KEY = Fernet.generate_key()


@pytest.fixture
def identity_key(settings):
    settings.EISEN_IDENTITY_KEYS = [IDENTITY_KEY.decode()]
    return Fernet(IDENTITY_KEY)


@pytest.fixture
def scene(identity_key):
    course = CourseFactory(code="IMP900")
    group = FocusGroupFactory(course=course, title="Cohort 1, week 6")
    participant = ParticipantFactory(
        course=course, pseudonym="S03", country="Norway", consented=False
    )
    other = ParticipantFactory(course=course, pseudonym="S04")
    participant.focus_groups.add(group)
    ConsentFactory(
        participant=participant,
        given_on=datetime.date(2026, 5, 1),
        withdrawn_on=datetime.date(2026, 5, 10),
        withdrawn_scopes=[ConsentScope.VERBATIM_QUOTES],
    )
    ConsentFactory(participant=participant, text_version="v2", given_on=datetime.date(2026, 5, 20))
    ParticipantIdentity.objects.create(
        participant=participant,
        encrypted_name=identity_key.encrypt("Åse Nordmann".encode()),
        encrypted_email=identity_key.encrypt(b"ase@example.org"),
    )
    transcript = TranscriptFactory(
        focus_group=group,
        turns=[
            (participant, "Tromsø felt close thanks to the breakout rooms."),
            (other, "Not for me."),
            (participant, "The mentors helped."),
        ],
    )
    Utterance.objects.filter(transcript=transcript, position=0).update(
        spoken_at=datetime.timedelta(minutes=1, seconds=2.5)
    )
    theirs = ExcerptFactory(
        transcript=transcript, valence=Valence.POSITIVE, memo="Exemplar of peer contact."
    )
    parent = CodeFactory(name="Platform")
    CodingFactory(excerpt=theirs, code=CodeFactory(name="Breakout rooms", parent=parent))
    mechanism = MechanismFactory(name="International mix")
    ExcerptMechanism.objects.create(excerpt=theirs, mechanism=mechanism, stance=Stance.SUPPORTS)
    capability = CapabilityFactory(code="C1.2", title="Engage stakeholders")
    ExcerptCapability.objects.create(excerpt=theirs, capability=capability, stance=Stance.MIXED)
    others_start = transcript.text.index("Not for me.")
    ExcerptFactory(transcript=transcript, start=others_start, end=others_start + 11)
    crossing_start = transcript.text.index("breakout rooms.")
    crossing = ExcerptFactory(
        transcript=transcript, start=crossing_start, end=others_start + 11, participant=other
    )
    return {"participant": participant, "transcript": transcript, "crossing": crossing}


def test_the_export_holds_the_participant_their_sessions_and_consent_history(scene):
    data = participant_data_export(participant=scene["participant"], include_identity=False)

    assert data["participant"]["pseudonym"] == "S03"
    assert data["participant"]["country"] == "Norway"
    assert data["participant"]["course"]["code"] == "IMP900"
    assert [group["session"] for group in data["focus_groups"]] == ["Cohort 1, week 6"]
    assert [
        (c["text_version"], c["given_on"], c["withdrawn_on"], c["withdrawn_scopes"])
        for c in data["consents"]
    ] == [
        ("v1", "2026-05-01", "2026-05-10", ["verbatim_quotes"]),
        ("v2", "2026-05-20", None, []),
    ]


def test_the_export_holds_their_words_with_transcript_version_and_time(scene):
    data = participant_data_export(participant=scene["participant"], include_identity=False)

    assert [(u["words"], u["spoken_at"]) for u in data["utterances"]] == [
        ("Tromsø felt close thanks to the breakout rooms.", "00:01:02.500"),
        ("The mentors helped.", None),
    ]
    assert {(u["transcript"], u["version"]) for u in data["utterances"]} == {
        (str(scene["transcript"].uuid), 1)
    }
    assert "Not for me." not in json.dumps(data["utterances"])


def test_the_export_holds_the_excerpts_of_their_words_with_how_they_were_coded(scene):
    data = participant_data_export(participant=scene["participant"], include_identity=False)

    first, crossing = data["excerpts"]
    assert first["quote"] == "Tromsø felt close thanks to the breakout rooms."
    assert first["codes"] == ["Platform › Breakout rooms"]
    assert first["mechanisms"] == [{"mechanism": "International mix", "stance": "supports"}]
    assert first["capabilities"] == [
        {"code": "C1.2", "capability": "Engage stakeholders", "stance": "mixed"}
    ]
    assert (first["valence"], first["memo"]) == ("positive", "Exemplar of peer contact.")
    # Attributed to someone else, but it holds words of theirs.
    assert crossing["id"] == str(scene["crossing"].uuid)


def test_an_excerpt_that_runs_into_another_speakers_turn_shows_only_their_words(scene):
    data = participant_data_export(participant=scene["participant"], include_identity=False)

    crossing = next(e for e in data["excerpts"] if e["id"] == str(scene["crossing"].uuid))
    assert crossing["quote"] == "breakout rooms.…"
    assert "Not for me" not in json.dumps(data, ensure_ascii=False)


def test_an_excerpt_over_two_of_their_turns_withholds_what_lies_between(identity_key):
    participant = ParticipantFactory(pseudonym="S07")
    other = ParticipantFactory(course=participant.course, pseudonym="S08")
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=participant.course),
        turns=[(participant, "First point."), (other, "Objection."), (participant, "Second.")],
    )
    first, _objection, last = transcript.utterances.order_by("position")
    ExcerptFactory(transcript=transcript, start=first.start, end=last.end)

    data = participant_data_export(participant=participant, include_identity=False)

    assert [e["quote"] for e in data["excerpts"]] == ["First point.…Second."]


def test_the_identity_is_in_the_export_only_when_asked_for(scene):
    without = participant_data_export(participant=scene["participant"], include_identity=False)
    with_identity = participant_data_export(participant=scene["participant"], include_identity=True)

    assert "identity" not in without
    assert "Åse" not in json.dumps(without, ensure_ascii=False)
    assert with_identity["identity"] == {"name": "Åse Nordmann", "email": "ase@example.org"}


def test_an_identity_that_no_configured_key_decrypts_is_reported_not_failed(scene, settings):
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]

    data = participant_data_export(participant=scene["participant"], include_identity=True)

    assert "EISEN_IDENTITY_KEY" in data["identity"]["unreadable"]


def test_the_export_costs_the_same_queries_however_much_they_said(
    scene, django_assert_max_num_queries
):
    participant = scene["participant"]
    for number in range(2, 8):
        group = FocusGroupFactory(course=participant.course)
        participant.focus_groups.add(group)
        transcript = TranscriptFactory(
            focus_group=group, turns=[(participant, f"Point {n} of {number}.") for n in range(5)]
        )
        for utterance in transcript.utterances.all():
            excerpt = ExcerptFactory(
                transcript=transcript, start=utterance.start, end=utterance.end
            )
            CodingFactory(excerpt=excerpt)
            ExcerptMechanism.objects.create(
                excerpt=excerpt, mechanism=MechanismFactory(), stance=Stance.SUPPORTS
            )

    with django_assert_max_num_queries(10):
        data = participant_data_export(participant=participant, include_identity=True)

    assert len(data["excerpts"]) == 2 + 6 * 5


def _evaluator_who_sees_identities():
    user = UserFactory(roles=[Role.EVALUATOR])
    user.user_permissions.add(Permission.objects.get(codename="view_identity_key"))
    return user


@pytest.mark.parametrize(("sees_identities", "has_identity"), [(False, False), (True, True)])
def test_the_download_is_pretty_utf8_json_with_the_identity_only_for_those_allowed(
    scene, client, evaluator, sees_identities, has_identity
):
    client.force_login(_evaluator_who_sees_identities() if sees_identities else evaluator)

    response = client.get(
        reverse("evaluation:participant_export", args=[scene["participant"].uuid])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="imp900-s03-data.json"'
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode("utf-8")
    assert "Tromsø felt close" in body
    assert '\n  "participant": {' in body
    assert ("identity" in json.loads(body)) is has_identity


@pytest.mark.parametrize(("sees_identities", "has_identity"), [(False, False), (True, True)])
def test_the_api_export_has_the_identity_only_for_those_allowed(
    scene, evaluator, sees_identities, has_identity
):
    api = APIClient()
    api.force_authenticate(_evaluator_who_sees_identities() if sees_identities else evaluator)

    response = api.get(f"/api/v1/evaluation/participant-exports/{scene['participant'].uuid}/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.json()["utterances"][1]["words"] == "The mentors helped."
    assert ("identity" in response.json()) is has_identity
