"""The evaluation report PDF, read back with pypdf and pdftotext: metadata, tags, bookmarks, the
contents with page numbers, every mechanism, consented quotes only, no identity, charts drawn as
vectors, user text that stays text, and a build that costs the same queries at any size."""

import datetime
import io
import re
import uuid

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from eisen.export_kinds import ExportFailed
from eisen.pdf import render_pdf
from evaluation.models import (
    ExcerptMechanism,
    FormativeAction,
    LogicModelItem,
    MechanismAssessment,
    Participant,
    Phase,
    Valence,
)
from evaluation.report_pdf.document import build
from evaluation.report_pdf.form import EvaluationReportForm
from evaluation.services.sessions import identity_set
from tests import loopback_server
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    LogicModelFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.evaluation.test_reports_pages import (
    NEVER_CONSENTED,
    QUOTABLE,
    WITHDRAWN,
    build_world,
    said,
)
from tests.factories import CourseFactory
from tests.pdf_reading import (
    bookmark_page,
    has_raster_images,
    is_tagged,
    outline,
    pdf_text,
    squeezed,
)

pytestmark = pytest.mark.django_db

# A fixture is found by pytest under a name of the test module.
local_server = loopback_server.local_server

TITLE = "Evaluation report: EISEN logic model"
SUMMATIVE_QUOTE = "Partners from the health service shaped every assignment."
CHAIN = {
    LogicModelItem.Component.INPUTS: "Partners from different health care systems",
    LogicModelItem.Component.ACTIVITIES: "Pilot courses at level 7 and 8",
    LogicModelItem.Component.OUTPUTS: "A curriculum framework",
    LogicModelItem.Component.OUTCOMES: "Graduates who lead implementation",
    LogicModelItem.Component.IMPACT: "Better care through evidence in practice",
}
IDENTITIES = {"S01": "Kari Nordmann", "S02": "Sven Svensson"}
# The fill operator of the "Positive" valence colour (#2166ac) in a page's content stream.
POSITIVE_FILL = b"0.129412 0.4 0.67451 rg"


def report_world():
    """The report pages' world (IMP101, "International mix" with verdicts, S01 quotable, S02
    never asked, S03 withdrew), with a logic-model chain, a second mechanism with summative
    evidence through a code, identities behind two pseudonyms, and an action that changed the
    course."""
    world = build_world()
    course, mechanism = world["course"], world["mechanism"]
    logic_model = mechanism.logic_model
    for position, (component, text) in enumerate(CHAIN.items()):
        LogicModelItem.objects.create(
            logic_model=logic_model, component=component, text=text, position=position
        )
    stakeholders = MechanismFactory(
        logic_model=logic_model,
        name="Stakeholder engagement",
        assumption="Wide engagement makes the courses fit practice.",
    )
    speakers = {p.pseudonym: p for p in Participant.objects.filter(course=course)}
    for pseudonym, name in IDENTITIES.items():
        identity_set(participant=speakers[pseudonym], name=name, email=f"{pseudonym}@example.org")
    summative = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course, phase=Phase.SUMMATIVE, title="Final"),
        turns=[(speakers["S01"], SUMMATIVE_QUOTE)],
    )
    code = CodeFactory()
    code.mechanisms.add(stakeholders)
    CodingFactory(
        excerpt=ExcerptFactory(**said(summative, SUMMATIVE_QUOTE), valence=Valence.POSITIVE),
        code=code,
    )
    action = FormativeAction.objects.create(
        course=course,
        mechanism=stakeholders,
        finding="Students wanted more contact with practice partners.",
        change_made="Each module now has a guest from a health service.",
        changed_on=datetime.date(2026, 3, 3),
        status=FormativeAction.Status.CHANGED,
    )
    action.source_excerpts.set(
        ExcerptMechanism.objects.filter(mechanism=mechanism).values_list("excerpt", flat=True)
    )
    return {**world, "logic_model": logic_model, "stakeholders": stakeholders, "action": action}


@pytest.fixture
def world(settings):
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]
    return report_world()


def parameters(data=None) -> dict:
    form = EvaluationReportForm(data or {})
    assert form.is_valid(), form.errors
    return form.export_parameters()


class ReadBack:
    """A built report rendered to PDF and read back."""

    def __init__(self, data=None):
        self.document = build(parameters(data))
        self.pdf = render_pdf(
            self.document.html, title=self.document.title, language=self.document.language
        )
        self.reader = PdfReader(io.BytesIO(self.pdf))
        self.text = pdf_text(self.pdf)
        self.flat = " ".join(self.text.split())

    def page_text(self, number: int) -> str:
        """The text of page `number` (1-based)."""
        return self.text.split("\f")[number - 1]

    def page_flat(self, number: int) -> str:
        return " ".join(self.page_text(number).split())

    def content_streams(self) -> bytes:
        return b"".join(page.get_contents().get_data() for page in self.reader.pages)


# --- the document -----------------------------------------------------------------------------


def test_report_has_its_title_language_tags_and_file_name(world):
    report = ReadBack()

    assert report.document.title == TITLE
    assert report.document.filename == "evaluation-report-eisen-logic-model.pdf"
    assert report.reader.metadata.title == TITLE
    assert report.reader.trailer["/Root"]["/Lang"] == "en"
    assert is_tagged(report.reader)
    assert '<html lang="en">' in report.document.html


def test_sections_and_mechanisms_are_bookmarks_and_subheadings_are_not(world):
    titles = [(depth, title) for depth, title, _page in outline(ReadBack().reader)]
    assert titles == [
        (0, "Contents"),
        (0, "Logic model"),
        (0, "Mechanisms"),
        (1, "International mix"),
        (1, "Stakeholder engagement"),
        (0, "Charts"),
        (0, "Formative action log"),
    ]


def test_contents_gives_the_page_of_every_section_and_mechanism(world):
    report = ReadBack()
    contents = report.page_text(2)

    for _depth, title, page in outline(report.reader)[1:]:
        assert re.search(rf"{re.escape(title)}[ .]*{page}\s*$", contents, re.M), (title, page)


def test_pages_carry_the_running_header_and_page_x_of_y(world):
    report = ReadBack()
    pages = len(report.reader.pages)
    mechanisms_page = bookmark_page(report.reader, "Mechanisms")

    cover = report.page_flat(1)
    assert cover.count(TITLE) == 1
    assert f"page 1 of {pages}" in cover
    # The running header (title, section), then the section's own heading.
    lines = [line for line in report.page_text(mechanisms_page).splitlines() if line]
    assert lines[:3] == [TITLE, "Mechanisms", "Mechanisms"]
    assert f"page {pages} of {pages}" in report.page_text(pages)


def test_the_logic_model_and_the_action_log_are_on_landscape_pages_and_the_rest_portrait(world):
    report = ReadBack()
    starts = {title: page for depth, title, page in outline(report.reader) if depth == 0}
    wide = {
        *range(starts["Logic model"], starts["Mechanisms"]),
        *range(starts["Formative action log"], len(report.reader.pages) + 1),
    }

    orientation = {
        number: page.mediabox.width > page.mediabox.height
        for number, page in enumerate(report.reader.pages, start=1)
    }
    assert {number for number, landscape in orientation.items() if landscape} == wide
    assert len(wide) < len(orientation)


def test_logic_model_chain_mechanisms_verdicts_and_reflections_are_all_in_the_text(world):
    flat = ReadBack().flat

    for label in ("Inputs and resources", "Activities", "Outputs", "Outcomes", "Impact"):
        assert label in flat
    for text in CHAIN.values():
        assert text in flat
    assert "International mix" in flat
    assert "Stakeholder engagement" in flat
    assert world["mechanism"].assumption in flat
    assert "Wide engagement makes the courses fit practice." in flat
    assert "Mixed groups worked once breakout rooms were small." in flat
    assert "Formative: Partly held → Summative: Held" in flat
    assert "Formative Partly held Early." in flat
    assert "Summative Held Later." in flat


def test_only_consented_quotes_appear_with_pseudonym_course_and_phase(world):
    flat = ReadBack().flat

    assert QUOTABLE in flat
    assert "— S01 · IMP101 · Formative · exemplar" in flat
    assert SUMMATIVE_QUOTE in flat
    assert "— S01 · IMP101 · Summative" in flat
    assert NEVER_CONSENTED not in flat
    assert WITHDRAWN not in flat
    # Not even as the speaker of a withheld quote, here or in the action log.
    assert "S02" not in flat
    assert "S03" not in flat


def test_no_identity_behind_a_pseudonym_ever_appears(world):
    report = ReadBack()

    assert "S01" in report.flat
    for name in IDENTITIES.values():
        assert name not in report.flat
        assert name.split()[1] not in report.document.html
    assert "@example.org" not in report.document.html


def test_action_log_gives_status_dates_and_only_consented_sources(world):
    flat = ReadBack().flat

    assert "Breakout rooms were too large." in flat
    assert "Finding recorded" in flat
    assert "Students wanted more contact with practice partners." in flat
    assert "Each module now has a guest from a health service." in flat
    assert "3 March 2026" in flat
    assert "Course changed" in flat
    assert "mechanism “Stakeholder engagement”" in flat
    assert f"{QUOTABLE} — S01, Formative" in flat
    assert NEVER_CONSENTED not in flat


def test_charts_are_vector_drawings_with_their_text_labels(world):
    charts = ReadBack({"sections": ["charts"]})
    without = ReadBack({"sections": ["action_log"]})

    for label in ("Positive", "Negative", "Mixed", "Neutral", "International mix"):
        assert label in charts.flat
    assert "Figure 3. Excerpts about “Stakeholder engagement” by phase and valence." in charts.flat
    assert POSITIVE_FILL in charts.content_streams()
    assert POSITIVE_FILL not in without.content_streams()
    assert "Neutral" not in without.flat
    assert not has_raster_images(charts.reader)


def test_sections_left_out_are_neither_in_the_contents_nor_in_the_pdf(world):
    report = ReadBack({"sections": ["mechanisms", "action_log"]})

    titles = [title for _depth, title, _page in outline(report.reader)]
    assert titles == [
        "Contents",
        "Mechanisms",
        "International mix",
        "Stakeholder engagement",
        "Formative action log",
    ]
    assert "Inputs and resources" not in report.flat
    assert "Figure 1." not in report.flat


def test_chosen_courses_narrow_the_focus_groups_quotes_and_action_log(world):
    other = CourseFactory(code="IMP202")
    speaker = ParticipantFactory(course=other, pseudonym="S09")
    words = "In the other course nobody met a partner."
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=other, phase=Phase.FORMATIVE),
        turns=[(speaker, words)],
    )
    ExcerptMechanism.objects.create(
        excerpt=ExcerptFactory(**said(transcript, words)),
        mechanism=world["mechanism"],
        stance="challenges",
    )
    FormativeAction.objects.create(course=other, finding="IMP202 needs partners.")

    everything = ReadBack()
    narrowed = ReadBack({"courses": [str(world["course"].uuid)]})

    assert words in everything.flat
    assert "IMP202 needs partners." in everything.flat
    assert words not in narrowed.flat
    assert "IMP202" not in narrowed.flat
    assert "Focus groups held in the chosen courses" in narrowed.flat


def test_user_text_with_markup_appears_as_text_and_nothing_is_fetched(world, local_server):
    base, requests = local_server
    hostile = (
        f'Look <img src="file:///etc/passwd"> and <link rel="stylesheet" href="{base}/x.css">'
        " and <script>alert(1)</script> there"
    )
    course = world["course"]
    speaker = Participant.objects.get(course=course, pseudonym="S01")
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course, phase=Phase.SUMMATIVE),
        turns=[(speaker, hostile)],
    )
    excerpt = ExcerptFactory(**said(transcript, hostile), is_exemplar=True)
    ExcerptMechanism.objects.create(
        excerpt=excerpt, mechanism=world["stakeholders"], stance="supports"
    )
    MechanismAssessment.objects.create(
        mechanism=world["stakeholders"], phase=Phase.SUMMATIVE, verdict="held", reflection=hostile
    )
    MechanismFactory(logic_model=world["logic_model"], name=f"<b>{hostile[:60]}")

    report = ReadBack()

    # Once as the quote, once as the summative reflection; a cell wraps its text anywhere.
    assert squeezed(report.text).count(squeezed(hostile)) == 2
    assert "<b>Look <img" in report.flat
    assert "root:" not in report.text
    assert requests == []


def test_the_report_is_written_in_the_language_asked_for(world, settings):
    settings.LANGUAGES = [("en", "English"), ("nb", "Norsk bokmål")]

    document = build(parameters({"language": "nb"}))

    assert document.language == "nb"
    assert '<html lang="nb">' in document.html


# --- failures and cost ------------------------------------------------------------------------


def test_build_fails_with_a_message_when_the_logic_model_is_gone(world):
    spare = LogicModelFactory(title="Spare model")
    asked = parameters({"logic_model": str(spare.uuid)})
    spare.delete()

    with pytest.raises(ExportFailed, match="logic model of this export has been deleted"):
        build(asked)


def test_build_fails_with_a_message_when_a_course_is_gone_or_the_language_withdrawn(
    world, settings
):
    asked = parameters({"courses": [str(world["course"].uuid)]})

    with pytest.raises(ExportFailed, match="A course of this export has been deleted"):
        build({**asked, "courses": [*asked["courses"], str(uuid.uuid4())]})
    settings.LANGUAGES = [("nb", "Norsk bokmål")]
    with pytest.raises(ExportFailed, match="“en” is no longer offered"):
        build(asked)


def grow(world, size: int) -> None:
    """`size` more mechanisms, courses, focus groups, quotes and actions."""
    for number in range(size):
        mechanism = MechanismFactory(logic_model=world["logic_model"])
        for phase in Phase.values:
            MechanismAssessment.objects.create(
                mechanism=mechanism, phase=phase, verdict="held", reflection="Grown."
            )
        course = CourseFactory()
        speaker = ParticipantFactory(course=course)
        words = f"Grown quote {number}."
        transcript = TranscriptFactory(
            focus_group=FocusGroupFactory(course=course, phase=Phase.FORMATIVE),
            turns=[(speaker, words)],
        )
        excerpt = ExcerptFactory(**said(transcript, words), is_exemplar=True)
        ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance="supports")
        action = FormativeAction.objects.create(course=course, mechanism=mechanism, finding=words)
        action.source_excerpts.add(excerpt)


def queries_of_build(data) -> int:
    asked = parameters(data)
    with CaptureQueriesContext(connection) as queries:
        build(asked)
    return len(queries)


def test_building_the_report_costs_the_same_queries_at_two_sizes(
    world, django_assert_max_num_queries
):
    courses = {"courses": [str(world["course"].uuid)]}
    small = queries_of_build({}), queries_of_build(courses)

    grow(world, 8)
    courses["courses"].append(str(CourseFactory().uuid))

    assert (queries_of_build({}), queries_of_build(courses)) == small
    asked = parameters(courses)
    with django_assert_max_num_queries(15):
        build(asked)
