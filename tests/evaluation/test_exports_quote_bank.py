"""The quote bank: one row per coding, quotes only where consent allows, safe in spreadsheets."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.exports.quote_bank import WITHHELD
from evaluation.models import (
    CodingComparison,
    ConsentScope,
    ExcerptCapability,
    ExcerptMechanism,
    Phase,
    Stance,
    Transcript,
    Valence,
)
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ConsentFactory,
    ExcerptFactory,
    FocusGroupFactory,
    LogicModelFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CapabilityFactory, CourseFactory, UserFactory

S01_WORDS = "Meeting students from Kenya changed how I plan implementation."
S02_WORDS = "The platform crashed in every breakout session."
FACILITATOR_WORDS = "Thank you, that is very helpful to hear."
PEERS_PATH = "Learning \u203a Peers"
NO_QUOTES = [ConsentScope.TAKE_PART, ConsentScope.TRANSCRIPTION, ConsentScope.RECORDING]


def _span(transcript, words):
    start = transcript.text.index(words)
    return {"start": start, "end": start + len(words)}


@pytest.fixture
def bank(evaluator):
    """Two participants (S02 without consent to quotes), a facilitator, codes and links."""
    course = CourseFactory(code="MSC101", title="Implementation in practice")
    group = FocusGroupFactory(
        course=course,
        title="Cohort 1, week 6",
        phase=Phase.FORMATIVE,
        held_on=datetime.date(2026, 3, 2),
    )
    s01 = ParticipantFactory(course=course, pseudonym="S01")
    s02 = ParticipantFactory(course=course, pseudonym="S02", consented=False)
    ConsentFactory(participant=s02, scopes=NO_QUOTES)
    transcript = TranscriptFactory(
        focus_group=group,
        turns=[(s01, S01_WORDS), (s02, S02_WORDS), ("Facilitator", FACILITATOR_WORDS)],
    )
    logic_model = LogicModelFactory(title="EISEN")
    mix = MechanismFactory(logic_model=logic_model, name="International mix", position=1)
    platform = MechanismFactory(logic_model=logic_model, name="E-learning platform", position=2)
    learning = CodeFactory(name="Learning", position=1)
    peers = CodeFactory(name="Peers", parent=learning)
    peers.mechanisms.add(mix)
    technology = CodeFactory(name="Technology", position=2)
    capability = CapabilityFactory(code="B2.1")
    technology.capabilities.add(capability)

    first = ExcerptFactory(
        transcript=transcript,
        **_span(transcript, S01_WORDS),
        coder=evaluator,
        valence=Valence.POSITIVE,
        is_exemplar=True,
        memo="Analyst note: compare with cohort 2.",
    )
    CodingFactory(excerpt=first, code=peers)
    CodingFactory(excerpt=first, code=technology)
    ExcerptMechanism.objects.create(excerpt=first, mechanism=platform, stance=Stance.CHALLENGES)
    ExcerptCapability.objects.create(excerpt=first, capability=capability, stance=Stance.SUPPORTS)
    second = ExcerptFactory(
        transcript=transcript,
        **_span(transcript, S02_WORDS),
        coder=evaluator,
        valence=Valence.NEGATIVE,
    )
    CodingFactory(excerpt=second, code=technology)
    facilitator = ExcerptFactory(
        transcript=transcript, **_span(transcript, FACILITATOR_WORDS), coder=evaluator
    )
    CodingFactory(excerpt=facilitator, code=learning)
    return {
        "course": course,
        "group": group,
        "transcript": transcript,
        "s01": s01,
        "s02": s02,
        "logic_model": logic_model,
        "mix": mix,
        "platform": platform,
        "learning": learning,
        "peers": peers,
        "technology": technology,
        "first": first,
    }


def _download(client, file_format="csv", **params):
    return client.get(reverse("evaluation:export_quote_bank", args=[file_format]), params)


def _rows(response):
    assert response.status_code == 200, response.content[:500]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_one_row_per_coding_with_session_code_path_links_and_quote(evaluator_client, bank):
    rows = _rows(_download(evaluator_client))

    assert len(rows) == 4
    first, second = rows[0], rows[1]
    assert first == {
        "Course code": "MSC101",
        "Course title": "Implementation in practice",
        "Phase": "Formative",
        "Session": "Cohort 1, week 6",
        "Date": "2026-03-02",
        "Audience": "Students",
        "Participant": "S01",
        "Code": PEERS_PATH,
        "Mechanisms": "E-learning platform (Challenges); International mix (via code)",
        "Capabilities": "B2.1 (Supports)",
        "Valence": "Positive",
        "Exemplar": "yes",
        "Quote": S01_WORDS,
    }
    assert second["Code"] == "Technology"
    assert second["Mechanisms"] == "E-learning platform (Challenges)"
    assert second["Quote"] == S01_WORDS


def test_memos_stay_out_of_the_quote_bank(evaluator_client, bank):
    content = _download(evaluator_client).content.decode("utf-8-sig")

    assert "Analyst note" not in content


def test_quote_without_consent_to_verbatim_quotes_is_withheld_but_the_row_is_counted(
    evaluator_client, bank
):
    response = _download(evaluator_client)
    rows = _rows(response)

    s02_rows = [row for row in rows if row["Participant"] == "S02"]
    assert len(s02_rows) == 1
    assert s02_rows[0]["Quote"] == str(WITHHELD)
    assert s02_rows[0]["Valence"] == "Negative"
    assert "crashed" not in response.content.decode("utf-8-sig")


def test_quote_is_withheld_once_verbatim_consent_is_withdrawn(evaluator_client, bank):
    consent = bank["s01"].consents.get()
    consent.withdrawn_on = datetime.date(2026, 4, 1)
    consent.withdrawn_scopes = [ConsentScope.VERBATIM_QUOTES]
    consent.save()

    response = _download(evaluator_client)
    rows = _rows(response)

    assert [row["Quote"] for row in rows if row["Participant"] == "S01"] == [str(WITHHELD)] * 2
    assert "Kenya" not in response.content.decode("utf-8-sig")


def test_the_facilitator_has_no_pseudonym_and_is_not_quoted(evaluator_client, bank):
    rows = _rows(_download(evaluator_client))

    facilitator = rows[-1]
    assert facilitator["Participant"] == ""
    assert facilitator["Quote"] == str(WITHHELD)
    assert facilitator["Code"] == "Learning"


def test_excerpts_not_counted_in_reports_only_with_all_coders(evaluator_client, evaluator, bank):
    other = UserFactory(username="second-coder")
    own = ExcerptFactory(
        transcript=bank["transcript"],
        **_span(bank["transcript"], S01_WORDS),
        coder=other,
        in_analysis=False,
    )
    CodingFactory(excerpt=own, code=bank["learning"])

    assert len(_rows(_download(evaluator_client))) == 4
    rows = _rows(_download(evaluator_client, include_all_coders="on"))
    assert len(rows) == 5
    assert {(row["Coded by"], row["Counted in reports"]) for row in rows} == {
        ("evaluator", "yes"),
        ("second-coder", "no"),
    }


def test_all_coders_keeps_blind_coding_blind_until_compared(evaluator_client, evaluator, bank):
    transcript = bank["transcript"]
    Transcript.objects.filter(pk=transcript.pk).update(independent_coding=True)
    other = ExcerptFactory(
        transcript=transcript,
        **_span(transcript, S02_WORDS),
        coder=UserFactory(username="blind-coder"),
        in_analysis=False,
    )
    CodingFactory(excerpt=other, code=bank["learning"])

    coders = {
        row["Coded by"] for row in _rows(_download(evaluator_client, include_all_coders="on"))
    }
    assert "blind-coder" not in coders

    CodingComparison.objects.create(transcript=transcript, coder=evaluator)
    coders = {
        row["Coded by"] for row in _rows(_download(evaluator_client, include_all_coders="on"))
    }
    assert "blind-coder" in coders


def test_older_transcript_versions_are_left_out(evaluator_client, evaluator, bank):
    old = bank["transcript"]
    Transcript.objects.filter(pk=old.pk).update(is_current=False)
    TranscriptFactory(focus_group=bank["group"], version=2, previous=old, text="S01: Newer words.")

    assert _rows(_download(evaluator_client)) == []


def test_formula_like_cells_are_written_after_an_apostrophe_in_csv(
    evaluator_client, evaluator, bank
):
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=bank["course"]),
        turns=[(bank["s01"], '=HYPERLINK("http://evil.example","click")')],
    )
    excerpt = ExcerptFactory(transcript=transcript, coder=evaluator)
    CodingFactory(excerpt=excerpt, code=CodeFactory(name="+dangerous"))
    CodingFactory(excerpt=excerpt, code=CodeFactory(name="@sum"))
    CodingFactory(excerpt=excerpt, code=CodeFactory(name="-minus"))

    rows = [
        row
        for row in _rows(_download(evaluator_client))
        if row["Session"] == transcript.focus_group.title
    ]

    assert {row["Quote"] for row in rows} == {'\'=HYPERLINK("http://evil.example","click")'}
    assert {row["Code"] for row in rows} == {"'+dangerous", "'@sum", "'-minus"}


def test_xlsx_reads_back_with_the_same_rows_and_formulas_kept_as_text(
    evaluator_client, evaluator, bank
):
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=bank["course"], title="Formulas"),
        turns=[(bank["s01"], "=1+1")],
    )
    CodingFactory(
        excerpt=ExcerptFactory(transcript=transcript, coder=evaluator), code=bank["learning"]
    )
    csv_rows = _rows(_download(evaluator_client))

    response = _download(evaluator_client, "xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows())
    assert [cell.value for cell in header] == list(csv_rows[0])
    assert len(rows) == len(csv_rows) == 5
    assert rows[0][4].value == datetime.datetime(2026, 3, 2)
    assert rows[0][12].value == S01_WORDS
    formula = next(row for row in rows if row[3].value == "Formulas")[12]
    assert formula.value == "=1+1"
    assert formula.data_type == "s"
    assert formula.quotePrefix is True
    withheld = next(row for row in rows if row[6].value == "S02")[12]
    assert withheld.value == str(WITHHELD)


def test_filter_by_course_and_phase(evaluator_client, evaluator, bank):
    other_course = CourseFactory(code="PHD900")
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=other_course, phase=Phase.SUMMATIVE),
        turns=[(ParticipantFactory(course=other_course, pseudonym="T01"), "Other course words.")],
    )
    CodingFactory(
        excerpt=ExcerptFactory(transcript=transcript, coder=evaluator), code=bank["learning"]
    )

    by_course = _rows(_download(evaluator_client, course=str(other_course.uuid)))
    by_phase = _rows(_download(evaluator_client, phase=Phase.FORMATIVE))

    assert {row["Course code"] for row in by_course} == {"PHD900"}
    assert {row["Course code"] for row in by_phase} == {"MSC101"}
    assert len(by_phase) == 4


def test_filter_by_mechanism_takes_direct_links_and_links_through_codes(evaluator_client, bank):
    through_code = _rows(_download(evaluator_client, mechanism=str(bank["mix"].uuid)))
    direct = _rows(_download(evaluator_client, mechanism=str(bank["platform"].uuid)))
    by_model = _rows(_download(evaluator_client, logic_model=str(bank["logic_model"].uuid)))

    # The excerpt coded Peers (linked to the mix) is the evidence: all its codings are listed.
    assert [(row["Participant"], row["Code"]) for row in through_code] == [
        ("S01", PEERS_PATH),
        ("S01", "Technology"),
    ]
    assert [row["Participant"] for row in direct] == ["S01", "S01"]
    assert [row["Participant"] for row in by_model] == ["S01", "S01"]


def test_filter_by_code_takes_the_codes_below_it(evaluator_client, bank):
    rows = _rows(_download(evaluator_client, code=str(bank["learning"].uuid)))

    assert [row["Code"] for row in rows] == [PEERS_PATH, "Learning"]


def test_a_mechanism_of_another_logic_model_is_refused_with_the_reason(evaluator_client, bank):
    other_model = LogicModelFactory(title="Other model")

    response = _download(
        evaluator_client, logic_model=str(other_model.uuid), mechanism=str(bank["mix"].uuid)
    )

    assert response.status_code == 400
    assert "belongs to the logic model “EISEN”, not to “Other model”" in response.content.decode()


def test_an_identifier_that_is_not_a_uuid_is_refused(evaluator_client, bank):
    response = _download(evaluator_client, code="not-a-uuid")

    assert response.status_code == 400
    assert "“not-a-uuid” is not a code identifier." in response.content.decode()


def _bank_of(size, evaluator):
    """`size` codings over `size` excerpts of participants, half of them not quotable."""
    course = CourseFactory()
    participants = [
        ParticipantFactory(course=course, pseudonym=f"S{n:02d}", consented=n % 2 == 0)
        for n in range(1, size + 1)
    ]
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course),
        turns=[(participant, f"Words of {participant}.") for participant in participants],
    )
    mechanism = MechanismFactory()
    capability = CapabilityFactory()
    parent = CodeFactory()
    codes = [CodeFactory(parent=parent), CodeFactory()]
    codes[0].mechanisms.add(mechanism)
    codes[1].capabilities.add(capability)
    for number, utterance in enumerate(transcript.utterances.all()):
        excerpt = ExcerptFactory(
            transcript=transcript, start=utterance.start, end=utterance.end, coder=evaluator
        )
        CodingFactory(excerpt=excerpt, code=codes[number % 2])
        ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance=Stance.MIXED)
        ExcerptCapability.objects.create(
            excerpt=excerpt, capability=capability, stance=Stance.MIXED
        )


def _queries_for_download(client, file_format):
    with CaptureQueriesContext(connection) as queries:
        response = _download(client, file_format)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_download_costs_the_same_queries_for_5_and_50_codings(
    evaluator_client, evaluator, file_format
):
    _bank_of(5, evaluator)
    small = _queries_for_download(evaluator_client, file_format)
    _bank_of(45, evaluator)
    assert len(_rows(_download(evaluator_client))) == 50

    assert _queries_for_download(evaluator_client, file_format) == small
