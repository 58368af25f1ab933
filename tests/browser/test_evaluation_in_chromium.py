"""An evaluator uploads a transcript, codes a passage against a mechanism and finds it in the
mechanism report, in real Chromium; the same by keyboard alone; a course lead is kept out."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from eisen.roles import Role
from evaluation.models import Excerpt, Transcript
from evaluation.services.logic import eisen_logic_model_load
from tests.browser.test_framework_editor_in_chromium import (
    assert_accessible,
    sign_in,
    wait_for_htmx,
)
from tests.evaluation.factories import CodeFactory, FocusGroupFactory, ParticipantFactory
from tests.factories import CourseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRANSCRIPT_FILE = Path(__file__).parent / "data" / "summative_focus_group.vtt"
REAL_NAME = "Anna Berg"
SESSION = "Summative focus group, cohort 2026"
CODE = "Learning across countries"
MECHANISM = "International"
PASSAGE = "students from four countries showed me how differently services are organised"
MOST_TABS = 80


@pytest.fixture
def focus_group():
    """A focus group of a course whose students S01 and S02 consented to everything, the EISEN
    logic model and a one-code codebook."""
    course = CourseFactory(code="IMP701", title="Implementation in practice")
    for pseudonym in ("S01", "S02"):
        ParticipantFactory(course=course, pseudonym=pseudonym)
    eisen_logic_model_load()
    CodeFactory(name=CODE, colour="#1c7ed6")
    return FocusGroupFactory(course=course, title=SESSION)


def upload_transcript(page, live_server):
    page.goto(live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Evaluation").click()
    page.get_by_role("link", name=SESSION).click()
    page.get_by_role("link", name="Upload or paste the transcript").click()
    page.get_by_label("Transcript file").set_input_files(TRANSCRIPT_FILE)
    page.get_by_label("Names to replace").fill(f"{REAL_NAME} = S02")
    page.get_by_role("button", name="Read and save the transcript").click()
    expect(page.get_by_text("Version 1 saved: 3 speaker turns.")).to_be_visible()


def open_coding(page) -> None:
    """The coding page, laid out and with its script running, so selections are read."""
    page.get_by_role("link", name="Code it").click()
    expect(page.get_by_role("heading", name=f"Code “{SESSION}”")).to_be_visible()
    page.wait_for_load_state("load")


def character_box(page, offset: int) -> dict:
    """Where the transcript's character at `offset` is drawn, in viewport coordinates."""
    return page.evaluate(
        """offset => {
            const run = [...document.querySelectorAll("[data-coding-text] [data-start]")].find(
                run => Number(run.dataset.start) <= offset
                    && offset < Number(run.dataset.start) + run.textContent.length);
            const range = document.createRange();
            const from = offset - Number(run.dataset.start);
            range.setStart(run.firstChild, from);
            range.setEnd(run.firstChild, from + 1);
            const box = range.getBoundingClientRect();
            return {x: box.x, y: box.y, width: box.width, height: box.height};
        }""",
        offset,
    )


def drag_select(page, start: int, end: int) -> None:
    """Select the characters start..end of the transcript by dragging the mouse across them."""
    first, last = character_box(page, start), character_box(page, end - 1)
    page.mouse.move(first["x"] + 1, first["y"] + first["height"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + last["width"] - 1, last["y"] + last["height"] / 2, steps=10)
    page.mouse.up()


def tab_to(page, control) -> None:
    """Press Tab until `control` has the focus, as someone without a mouse would."""
    for _press in range(MOST_TABS):
        if control.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{MOST_TABS} presses of Tab never reached {control}")


def test_evaluator_uploads_codes_a_selection_and_finds_it_in_the_mechanism_report(
    live_server, page, focus_group
):
    UserFactory(username="evaluator", roles=[Role.EVALUATOR])
    sign_in(page, live_server, "evaluator")

    upload_transcript(page, live_server)
    turns = page.locator("table.turn-table tbody tr")
    expect(turns).to_have_count(3)
    expect(turns.locator("th")).to_have_text(["Facilitator", "S01", "S02"])
    expect(turns.nth(1)).to_contain_text("I agree with S02 that the weekly tasks kept us going.")
    expect(turns.nth(2)).to_contain_text("The platform was slow in the first week")
    expect(page.locator("main")).not_to_contain_text("Anna")
    transcript = Transcript.objects.get(focus_group=focus_group)
    assert "Anna" not in transcript.text
    assert list(transcript.utterances.values_list("speaker", flat=True)) == [
        "Facilitator",
        "S01",
        "S02",
    ]

    open_coding(page)
    start = transcript.text.index(PASSAGE)
    end = start + len(PASSAGE)
    drag_select(page, start, end)
    form = page.locator("#new-excerpt")
    expect(form.get_by_label("From character")).to_have_value(str(start))
    expect(form.get_by_label("To character")).to_have_value(str(end))
    expect(form.locator("[data-coding='preview']")).to_have_text(f"“{PASSAGE}”")

    form.get_by_label(CODE).check()
    form.get_by_label(MECHANISM, exact=True).select_option(label="Supports")
    form.get_by_label("Positive", exact=True).check()
    form.get_by_label("Exemplar quote").check()
    form.get_by_label("Memo").fill("Peer learning across countries.")
    form.get_by_role("button", name="Save the excerpt").click()
    wait_for_htmx(page)
    expect(
        page.locator(".coding__notices").get_by_text(f"The excerpt from {start} to {end} is saved.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="1 excerpt", exact=True)).to_be_visible()
    card = page.locator(".excerpt-card")
    expect(card.locator("blockquote")).to_have_text(PASSAGE)
    expect(card).to_contain_text("S01")
    expect(card).to_contain_text("Positive")
    expect(card).to_contain_text("Exemplar")
    expect(card.get_by_role("list", name="Codes")).to_have_text(CODE)
    expect(card.get_by_role("list", name="Mechanisms and capabilities")).to_have_text(
        f"Supports {MECHANISM}"
    )
    expect(page.locator("[data-coding-text] mark.coded")).to_have_text(PASSAGE)
    excerpt = Excerpt.objects.get()
    assert (excerpt.start, excerpt.end, excerpt.participant.pseudonym) == (start, end, "S01")
    assert_accessible(page)

    page.get_by_role("navigation", name="Evaluation").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Mechanism report")).to_be_visible()
    section = page.locator("section.report-mechanism").filter(
        has=page.get_by_role("heading", name=MECHANISM, exact=True)
    )
    expect(section.locator("figure.report-chart figcaption")).to_have_text("1 excerpt of evidence")
    expect(section.get_by_test_id("stances")).to_contain_text("Supports 1")
    quote = section.get_by_test_id("quote")
    expect(quote.locator("blockquote")).to_have_text(PASSAGE)
    expect(quote.locator("figcaption")).to_contain_text(f"S01 · IMP701 · Summative · {SESSION}")
    expect(quote.locator("figcaption")).to_contain_text("Exemplar")
    others = page.locator("section.report-mechanism").filter(
        has_not=page.get_by_role("heading", name=MECHANISM, exact=True)
    )
    expect(others.locator("figure.report-chart figcaption")).to_have_text(
        ["0 excerpts of evidence"] * 3
    )
    assert_accessible(page)


def test_keyboard_alone_codes_a_turn(live_server, page, focus_group):
    UserFactory(username="evaluator", roles=[Role.EVALUATOR])
    sign_in(page, live_server, "evaluator")
    upload_transcript(page, live_server)
    open_coding(page)
    transcript = Transcript.objects.get(focus_group=focus_group)
    turn = transcript.utterances.get(speaker="S02")
    words = transcript.text[turn.start : turn.end]

    tab_to(page, page.get_by_role("link", name="Code this turn (turn 3, S02)"))
    page.keyboard.press("Enter")
    form = page.locator("#new-excerpt")
    expect(form.get_by_label("From character")).to_be_focused()
    expect(form.get_by_label("From character")).to_have_value(str(turn.start))
    expect(form.get_by_label("To character")).to_have_value(str(turn.end))
    expect(form.locator("[data-coding='preview']")).to_have_text(f"“{words}”")

    tab_to(page, form.get_by_label(CODE))
    page.keyboard.press("Space")
    expect(form.get_by_label(CODE)).to_be_checked()
    tab_to(page, form.get_by_label("E-learning platform", exact=True))
    page.keyboard.type("Mixed")
    expect(form.get_by_label("E-learning platform", exact=True)).to_have_value("mixed")
    tab_to(page, form.get_by_label("Neutral", exact=True))
    page.keyboard.press("ArrowUp")
    expect(form.get_by_label("Mixed", exact=True)).to_be_checked()
    tab_to(page, form.get_by_role("button", name="Save the excerpt"))
    page.keyboard.press("Enter")
    wait_for_htmx(page)

    saved = f"The excerpt from {turn.start} to {turn.end} is saved."
    expect(page.locator(".coding__notices").get_by_text(saved)).to_be_visible()
    # The Save button went with the swap: the keyboard goes on from the form, and the live
    # region outside the swapped workspace says what happened.
    expect(page.locator("#new-excerpt")).to_be_focused()
    expect(page.locator("#coding-announcer")).to_have_text(saved)
    card = page.locator(".excerpt-card")
    expect(card.locator("blockquote")).to_have_text(words)
    expect(card.get_by_role("list", name="Mechanisms and capabilities")).to_have_text(
        "Mixed E-learning platform"
    )
    excerpt = Excerpt.objects.get()
    assert (excerpt.start, excerpt.end, excerpt.valence) == (turn.start, turn.end, "mixed")
    assert list(excerpt.codes.values_list("name", flat=True)) == [CODE]


def test_course_lead_is_refused_evaluation_and_not_offered_it(live_server, page):
    UserFactory(username="lead", roles=[Role.COURSE_LEAD])
    sign_in(page, live_server, "lead")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Courses", exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Evaluation")).to_have_count(0)

    response = page.goto(f"{live_server.url}/evaluation/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("navigation", name="Evaluation")).to_have_count(0)
