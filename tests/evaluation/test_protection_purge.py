"""`manage.py purge_expired`: transcripts past their retention date go, consent records stay."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from evaluation.models import (
    Coding,
    Consent,
    Excerpt,
    FormativeAction,
    MechanismAssessment,
    Participant,
    Phase,
    Transcript,
    Utterance,
    Verdict,
)
from tests.evaluation.factories import (
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

TODAY = "2027-01-10"


def purge(*options) -> str:
    out = StringIO()
    call_command("purge_expired", "--today", TODAY, *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def expired():
    """A focus group kept until yesterday: two versions of a coded transcript, one excerpt cited."""
    course = CourseFactory(code="IMP700")
    group = FocusGroupFactory(
        course=course,
        title="Cohort 1, week 6",
        held_on=datetime.date(2026, 6, 1),
        retention_until=datetime.date(2027, 1, 9),
    )
    participant = ParticipantFactory(course=course, pseudonym="S05")
    participant.focus_groups.add(group)
    turns = [(participant, "The secret marmalade recipe came up in class."), ("T01", "Thanks.")]
    first = TranscriptFactory(focus_group=group, turns=turns, version=1, is_current=False)
    current = TranscriptFactory(focus_group=group, turns=turns, version=2, previous=first)
    cited = CodingFactory(excerpt__transcript=current).excerpt
    ExcerptFactory(transcript=first)
    assessment = MechanismAssessment.objects.create(
        mechanism=MechanismFactory(), phase=Phase.SUMMATIVE, verdict=Verdict.PARTLY_HELD
    )
    assessment.evidence.add(cited)
    action = FormativeAction.objects.create(course=course, finding="Too many readings.")
    action.source_excerpts.add(cited)
    return {"group": group, "participant": participant, "assessment": assessment}


@pytest.fixture
def kept():
    """Focus groups kept until today and later: not expired yet."""
    today = FocusGroupFactory(retention_until=datetime.date(2027, 1, 10))
    later = FocusGroupFactory(retention_until=datetime.date(2031, 6, 1))
    return [
        TranscriptFactory(focus_group=today, turns=[("S01", "Kept until today.")]),
        TranscriptFactory(focus_group=later, turns=[("S02", "Kept for years.")]),
    ]


def test_a_dry_run_lists_what_would_go_and_deletes_nothing(expired, kept):
    output = purge("--dry-run")

    assert (
        "IMP700 · Cohort 1, week 6 (kept until 2027-01-09): would delete 2 transcript "
        "version(s), 4 turn(s), 2 excerpt(s) (1 cited as evidence or behind a formative action)."
    ) in output
    assert "Dry run: nothing was changed." in output
    assert Transcript.objects.count() == 4
    assert Excerpt.objects.count() == 2


def test_a_run_deletes_expired_transcripts_with_their_turns_and_excerpts(expired, kept):
    output = purge()

    assert "IMP700 · Cohort 1, week 6 (kept until 2027-01-09): deleted 2 transcript" in output
    assert "Deleted the transcripts of 1 focus group(s)." in output
    assert not Transcript.objects.filter(focus_group=expired["group"]).exists()
    assert not Utterance.objects.filter(transcript__focus_group=expired["group"]).exists()
    assert not Excerpt.objects.exists()
    assert not Coding.objects.exists()
    assert not expired["assessment"].evidence.exists()
    assert not FormativeAction.objects.get().source_excerpts.exists()


def test_a_run_keeps_what_has_not_expired_and_the_consent_records(expired, kept):
    purge()

    assert set(Transcript.objects.all()) == set(kept)
    assert Utterance.objects.count() == 2
    assert Participant.objects.filter(pk=expired["participant"].pk).exists()
    assert Consent.objects.filter(participant=expired["participant"]).count() == 1
    assert list(expired["participant"].focus_groups.all()) == [expired["group"]]


def test_the_output_holds_no_personal_data(expired):
    output = purge()

    assert "S05" not in output
    assert "marmalade" not in output


def test_a_second_run_deletes_nothing_more(expired, kept):
    purge()

    output = purge()

    assert output.startswith("Nothing to purge")
    assert Transcript.objects.count() == 2


def test_today_defaults_to_the_servers_date():
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    past = FocusGroupFactory(held_on=yesterday, retention_until=yesterday)
    TranscriptFactory(focus_group=past)
    kept = TranscriptFactory(focus_group=FocusGroupFactory(held_on=today, retention_until=today))

    call_command("purge_expired", stdout=StringIO())

    assert list(Transcript.objects.all()) == [kept]


def test_a_badly_written_date_is_refused_naming_the_option():
    with pytest.raises(CommandError, match=r"--today must be a date written YYYY-MM-DD"):
        call_command("purge_expired", "--today", "10/01/2027")
