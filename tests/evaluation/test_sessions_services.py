"""Focus groups, participants, consent records and the encrypted identity key."""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.db import connection

from eisen.errors import Conflict, StaleEdit
from evaluation import identity
from evaluation.consent import quotable_participant_ids, scopes_in_force
from evaluation.models import (
    ConsentScope,
    FocusGroup,
    Participant,
    ParticipantIdentity,
    Phase,
)
from evaluation.services import sessions
from tests.evaluation.factories import (
    ALL_SCOPES,
    ConsentFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

KEY = Fernet.generate_key().decode()


@pytest.fixture
def course():
    return CourseFactory(code="IMP101")


def focus_group_fields(course, **changes):
    fields = {
        "course": course,
        "title": "Cohort 1, week 6",
        "phase": Phase.FORMATIVE,
        "held_on": datetime.date(2026, 3, 2),
        "mode": FocusGroup.Mode.ONLINE_BREAKOUT,
        "facilitator": "Moderator from the EISEN team",
        "audience": FocusGroup.Audience.STUDENTS,
        "language": "en",
        "retention_until": datetime.date(2031, 3, 2),
        "notes": "",
    }
    fields.update(changes)
    return fields


# Focus groups


def test_focus_group_is_created_with_who_created_it(course):
    user = UserFactory()
    focus_group = sessions.focus_group_create(created_by=user, **focus_group_fields(course))
    assert (focus_group.created_by, focus_group.revision) == (user, 1)


def test_focus_group_titles_are_unique_per_course_with_a_message_naming_the_course(course):
    user = UserFactory()
    sessions.focus_group_create(created_by=user, **focus_group_fields(course))
    with pytest.raises(ValidationError) as error:
        sessions.focus_group_create(created_by=user, **focus_group_fields(course))
    assert error.value.message_dict["title"] == [
        "IMP101 already has a focus group called “Cohort 1, week 6”."
    ]
    sessions.focus_group_create(created_by=user, **focus_group_fields(CourseFactory()))


def test_transcripts_are_kept_at_least_until_the_session_was_held(course):
    with pytest.raises(ValidationError) as error:
        sessions.focus_group_create(
            created_by=UserFactory(),
            **focus_group_fields(course, retention_until=datetime.date(2026, 1, 1)),
        )
    assert (
        "at least until the session was held (2026-03-02)"
        in (error.value.message_dict["retention_until"][0])
    )


def test_focus_group_update_bumps_the_revision_and_refuses_a_stale_one(course):
    focus_group = FocusGroupFactory(course=course)
    updated = sessions.focus_group_update(
        focus_group=focus_group, expected_revision=1, title="Renamed"
    )
    assert (updated.title, updated.revision) == ("Renamed", 2)
    with pytest.raises(StaleEdit):
        sessions.focus_group_update(focus_group=focus_group, expected_revision=1, title="Again")


def test_a_focus_group_with_participants_cannot_move_to_another_course(course):
    focus_group = FocusGroupFactory(course=course)
    ParticipantFactory(course=course).focus_groups.add(focus_group)
    with pytest.raises(ValidationError) as error:
        sessions.focus_group_update(
            focus_group=focus_group, expected_revision=None, course=CourseFactory()
        )
    assert "cannot move to another course" in error.value.message_dict["course"][0]


def test_a_focus_group_with_a_transcript_is_not_deleted(course):
    focus_group = FocusGroupFactory(course=course)
    TranscriptFactory(focus_group=focus_group)
    with pytest.raises(Conflict, match="has a transcript, so it is not deleted"):
        sessions.focus_group_delete(focus_group=focus_group, expected_revision=1)
    assert FocusGroup.objects.filter(pk=focus_group.pk).exists()


def test_a_focus_group_without_transcript_is_deleted_and_its_participants_stay(course):
    focus_group = FocusGroupFactory(course=course)
    participant = ParticipantFactory(course=course)
    participant.focus_groups.add(focus_group)
    sessions.focus_group_delete(focus_group=focus_group, expected_revision=1)
    assert not FocusGroup.objects.filter(pk=focus_group.pk).exists()
    assert Participant.objects.filter(pk=participant.pk).exists()


# Participants


def test_participant_pseudonyms_are_upper_cased_and_checked(course):
    participant = sessions.participant_create(
        course=course, pseudonym=" s03 ", role=Participant.Role.STUDENT
    )
    assert participant.pseudonym == "S03"
    with pytest.raises(ValidationError) as taken:
        sessions.participant_create(course=course, pseudonym="S03", role="student")
    assert taken.value.message_dict["pseudonym"] == ["IMP101 already has a participant S03."]
    with pytest.raises(ValidationError) as shape:
        sessions.participant_create(course=course, pseudonym="Anna", role="student")
    assert "such as S03 or T01" in shape.value.message_dict["pseudonym"][0]


def test_participants_attend_only_focus_groups_of_their_course(course):
    other = FocusGroupFactory(title="Elsewhere")
    with pytest.raises(ValidationError) as error:
        sessions.participant_create(
            course=course, pseudonym="S01", role="student", focus_groups=[other]
        )
    assert error.value.message_dict["focus_groups"] == ["Not a focus group of IMP101: Elsewhere."]


def test_several_participants_are_added_at_once_with_their_focus_group(course):
    focus_group = FocusGroupFactory(course=course)

    added = sessions.participants_create_many(
        course=course,
        pseudonyms="s01, S02 S03\nT01",
        role=Participant.Role.STUDENT,
        country="Norway",
        cohort="2026",
        focus_groups=[focus_group],
    )

    assert [participant.pseudonym for participant in added] == ["S01", "S02", "S03", "T01"]
    assert focus_group.participants.count() == 4
    assert {participant.country for participant in added} == {"Norway"}


def test_adding_several_is_refused_whole_listing_every_problem(course):
    ParticipantFactory(course=course, pseudonym="S02")
    with pytest.raises(ValidationError) as error:
        sessions.participants_create_many(
            course=course, pseudonyms="S01, S02, S01, Anna", role="student"
        )
    assert error.value.message_dict["pseudonyms"] == [
        "Not pseudonyms (one to three capital letters and a number, such as S03): ANNA.",
        "Listed twice: S01.",
        "IMP101 already has S02.",
    ]
    assert list(course.participants.values_list("pseudonym", flat=True)) == ["S02"]


def test_a_pseudonym_cannot_change_once_a_transcript_names_it(course):
    participant = ParticipantFactory(course=course, pseudonym="S01")
    TranscriptFactory(focus_group__course=course, turns=[(participant, "Hello.")])
    with pytest.raises(ValidationError) as error:
        sessions.participant_update(participant=participant, expected_revision=1, pseudonym="S09")
    assert "S01 speaks in a transcript" in error.value.message_dict["pseudonym"][0]
    updated = sessions.participant_update(
        participant=participant, expected_revision=1, country="Italy"
    )
    assert (updated.country, updated.revision) == ("Italy", 2)


# Consent


@pytest.fixture
def participant(course):
    return ParticipantFactory(course=course, consented=False)


def test_the_latest_consent_is_in_force(participant):
    recorder = UserFactory()
    sessions.consent_record(
        participant=participant,
        text_version="v1",
        scopes=ALL_SCOPES,
        given_on=datetime.date(2026, 1, 10),
        recorded_by=recorder,
    )
    later = sessions.consent_record(
        participant=participant,
        text_version="v2",
        scopes=[ConsentScope.TRANSCRIPTION, ConsentScope.TAKE_PART],
        given_on=datetime.date(2026, 2, 10),
        recorded_by=recorder,
    )

    assert later.scopes == ["take_part", "transcription"]
    assert later.recorded_by == recorder
    assert sessions.consent_in_force(participant) == later
    assert scopes_in_force([participant.pk])[participant.pk] == {"take_part", "transcription"}
    assert quotable_participant_ids([participant.pk]) == set()


def test_a_consent_needs_take_part_and_a_date_not_in_the_future(participant):
    with pytest.raises(ValidationError) as without:
        sessions.consent_record(
            participant=participant,
            text_version="v1",
            scopes=[ConsentScope.VERBATIM_QUOTES],
            given_on=datetime.date(2026, 1, 10),
            recorded_by=UserFactory(),
        )
    assert "Tick “Take part”" in without.value.message_dict["scopes"][0]
    with pytest.raises(ValidationError) as future:
        sessions.consent_record(
            participant=participant,
            text_version="v1",
            scopes=ALL_SCOPES,
            given_on=datetime.date.today() + datetime.timedelta(days=2),
            recorded_by=UserFactory(),
        )
    assert "is in the future" in future.value.message_dict["given_on"][0]


def test_withdrawing_verbatim_quotes_stops_quoting_and_keeps_the_rest(participant):
    consent = ConsentFactory(participant=participant, given_on=datetime.date(2026, 1, 10))
    sessions.consent_withdraw(
        consent=consent,
        withdrawn_on=datetime.date(2026, 2, 1),
        scopes=[ConsentScope.VERBATIM_QUOTES],
    )
    consent.refresh_from_db()
    assert consent.withdrawn_scopes == ["verbatim_quotes"]
    assert consent.withdrawn_on == datetime.date(2026, 2, 1)
    assert quotable_participant_ids([participant.pk]) == set()
    assert "take_part" in scopes_in_force([participant.pk])[participant.pk]


def test_withdrawing_take_part_withdraws_everything_and_adds_to_earlier_withdrawals(participant):
    consent = ConsentFactory(participant=participant, given_on=datetime.date(2026, 1, 10))
    sessions.consent_withdraw(
        consent=consent, withdrawn_on=datetime.date(2026, 2, 1), scopes=["reuse"]
    )
    sessions.consent_withdraw(
        consent=consent, withdrawn_on=datetime.date(2026, 3, 1), scopes=["take_part"]
    )
    consent.refresh_from_db()
    assert consent.withdrawn_scopes == ALL_SCOPES
    assert consent.withdrawn_on == datetime.date(2026, 3, 1)
    assert scopes_in_force([participant.pk])[participant.pk] == set()


def test_withdrawals_are_checked_against_the_consent_in_force(participant):
    old = ConsentFactory(
        participant=participant, given_on=datetime.date(2026, 1, 10), scopes=["take_part"]
    )
    with pytest.raises(ValidationError) as not_given:
        sessions.consent_withdraw(
            consent=old, withdrawn_on=datetime.date(2026, 2, 1), scopes=["reuse"]
        )
    assert not_given.value.message_dict["withdrawn_scopes"] == [
        "The consent in force does not include: Reuse in later research."
    ]
    with pytest.raises(ValidationError) as too_early:
        sessions.consent_withdraw(
            consent=old, withdrawn_on=datetime.date(2026, 1, 1), scopes=["take_part"]
        )
    assert "given on 2026-01-10" in too_early.value.message_dict["withdrawn_on"][0]
    ConsentFactory(participant=participant, given_on=datetime.date(2026, 2, 10))
    with pytest.raises(Conflict, match="no longer the one in force"):
        sessions.consent_withdraw(
            consent=old, withdrawn_on=datetime.date(2026, 3, 1), scopes=["take_part"]
        )


# Identity key


def test_the_identity_is_stored_as_ciphertext_and_reads_back_with_the_key(settings, participant):
    settings.EISEN_IDENTITY_KEYS = [KEY]

    sessions.identity_set(participant=participant, name="Anna Berg", email="anna@example.org")

    with connection.cursor() as cursor:
        cursor.execute("SELECT encrypted_name, encrypted_email FROM evaluation_participantidentity")
        (stored_name, stored_email) = cursor.fetchone()
    stored_name, stored_email = bytes(stored_name), bytes(stored_email)
    assert b"Anna" not in stored_name
    assert b"anna@" not in stored_email
    assert Fernet(KEY).decrypt(stored_name) == b"Anna Berg"
    record = ParticipantIdentity.objects.get(participant=participant)
    assert identity.decrypt(record.encrypted_email) == "anna@example.org"


def test_storing_an_identity_without_a_key_is_refused_with_how_to_make_one(settings, participant):
    settings.EISEN_IDENTITY_KEYS = []
    with pytest.raises(ValidationError) as error:
        sessions.identity_set(participant=participant, name="Anna Berg")
    (message,) = error.value.messages
    assert "EISEN_IDENTITY_KEY" in message
    assert "Fernet.generate_key().decode()" in message
    assert not ParticipantIdentity.objects.exists()


def test_a_malformed_key_is_named_by_its_place_in_the_list(settings, participant):
    settings.EISEN_IDENTITY_KEYS = [KEY, "not-a-key"]
    with pytest.raises(ValidationError, match="Key 2 of 2 in EISEN_IDENTITY_KEY"):
        sessions.identity_set(participant=participant, name="Anna Berg")


def test_a_new_key_in_front_still_opens_identities_stored_with_the_old_one(settings, participant):
    settings.EISEN_IDENTITY_KEYS = [KEY]
    record = sessions.identity_set(participant=participant, name="Anna Berg")
    newer = Fernet.generate_key().decode()

    settings.EISEN_IDENTITY_KEYS = [newer, KEY]
    assert identity.decrypt(record.encrypted_name) == "Anna Berg"
    assert Fernet(newer).decrypt(identity.encrypt("Kari")) == b"Kari"

    settings.EISEN_IDENTITY_KEYS = [newer]
    with pytest.raises(identity.IdentityKeyError, match="no longer in EISEN_IDENTITY_KEY"):
        identity.decrypt(record.encrypted_name)


def test_removing_an_identity_deletes_it(settings, participant):
    settings.EISEN_IDENTITY_KEYS = [KEY]
    sessions.identity_set(participant=participant, name="Anna Berg")
    sessions.identity_remove(participant=participant)
    assert not ParticipantIdentity.objects.exists()
