"""The coding page's excerpt cards and highlights, read as plain rows and partly written in
Python for speed: they must show what the template showed, escape what people typed, and a card
fetched alone (htmx) must be the card of the list."""

import re

import pytest
from django.template.defaultfilters import truncatechars
from django.urls import reverse

from evaluation.selectors.coding import QUOTE_SHOWN, shown_quote
from evaluation.services.coding import excerpt_create
from tests.evaluation.factories import (
    CodeFactory,
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CapabilityFactory, CourseFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ROOMS = "The breakout rooms made it easy to talk & to listen."
PLATFORM = "The platform was confusing at first."


@pytest.fixture
def course():
    return CourseFactory(code="IMP101")


@pytest.fixture
def transcript(course):
    speakers = [ParticipantFactory(course=course, pseudonym=f"S0{n}") for n in (1, 2)]
    return TranscriptFactory(
        focus_group=FocusGroupFactory(course=course, title="Session 2"),
        turns=[("Facilitator", "Welcome."), (speakers[0], ROOMS), (speakers[1], PLATFORM)],
    )


def _span_of(transcript, words):
    start = transcript.text.index(words)
    return start, start + len(words)


def _page(client, transcript) -> str:
    return client.get(reverse("evaluation:coding", args=[transcript.uuid])).content.decode()


def _card_in(html: str, excerpt) -> str:
    """The excerpt's card as the list shows it: up to the next card or the end of the list."""
    start = html.index(f'<li id="excerpt-{excerpt.uuid}"')
    ends = [html.find(marker, start + 1) for marker in ('<li id="excerpt-', "</ol>")]
    return html[start : min(end for end in ends if end > 0)]


def _comparable(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\s+", " ", html).strip()


def test_a_card_fetched_alone_is_the_card_in_the_list(
    evaluator_client, evaluator, transcript, course
):
    mechanism = MechanismFactory(name="International mix")
    capability = CapabilityFactory(
        code="K1", title="Systems knowledge", domain__framework=course.framework
    )
    parent = CodeFactory(name="Learning", colour="#1c7ed6")
    child = CodeFactory(name="Peer", parent=parent, colour="#2f9e44")
    start, end = _span_of(transcript, ROOMS)
    excerpt = excerpt_create(
        transcript=transcript,
        start=start,
        end=end,
        coder=evaluator,
        codes=[child, parent],
        mechanisms={mechanism: "supports"},
        capabilities={capability: "challenges"},
        valence="positive",
        is_exemplar=True,
        memo="First line.\nSecond line.",
    )
    card = _card_in(_page(evaluator_client, transcript), excerpt)
    alone = evaluator_client.get(reverse("evaluation:excerpt_card", args=[excerpt.uuid]), **HTMX)

    assert _comparable(alone.content.decode()) == _comparable(card)
    assert "code-colour cr-1c cg-7e cb-d6" in card.split(">")[0]
    assert card.index("Learning</li>") < card.index("Learning › Peer</li>")
    assert "Supports</span> International mix" in card
    assert 'Challenges</span> <span class="code">K1</span> Systems knowledge' in card
    assert "First line.<br>Second line." in card
    assert f"characters {start}\N{EN DASH}{end}" in card


def test_each_card_offers_its_own_edit_and_delete(evaluator_client, evaluator, transcript):
    excerpts = [
        excerpt_create(transcript=transcript, start=start, end=end, coder=evaluator)
        for start, end in (_span_of(transcript, ROOMS), _span_of(transcript, PLATFORM))
    ]
    html = _page(evaluator_client, transcript)
    for excerpt in excerpts:
        card = _card_in(html, excerpt)
        edit_url = reverse("evaluation:excerpt_edit", args=[excerpt.uuid])
        delete_url = reverse("evaluation:excerpt_delete", args=[excerpt.uuid])
        assert f'href="{edit_url}"' in card
        assert f'hx-get="{edit_url}"' in card
        assert f'action="{delete_url}"' in card
        assert f'hx-post="{delete_url}"' in card
        span = f"{excerpt.start}\N{EN DASH}{excerpt.end}"
        hidden = f'<span class="visually-hidden"> the excerpt at characters {span}</span>'
        assert card.count(hidden) == 2


def test_a_facilitator_excerpt_names_no_speaker(evaluator_client, transcript):
    excerpt = ExcerptFactory(transcript=transcript, start=0, end=8, participant=None)
    card = _card_in(_page(evaluator_client, transcript), excerpt)
    assert "Facilitator or unknown speaker" in card
    assert "Neutral" in card
    assert "code-colour cr-86 cg-8e cb-96" in card


def test_overlapping_excerpts_are_marked_in_the_colour_of_the_innermost(
    evaluator_client, evaluator, transcript
):
    outer = CodeFactory(name="Outer", colour="#e03131")
    inner = CodeFactory(name="Inner", colour="#1c7ed6")
    start, end = _span_of(transcript, "breakout rooms made it easy")
    inner_start, inner_end = _span_of(transcript, "rooms made")
    excerpt_create(transcript=transcript, start=start, end=end, coder=evaluator, codes=[outer])
    excerpt_create(
        transcript=transcript, start=inner_start, end=inner_end, coder=evaluator, codes=[inner]
    )
    html = _page(evaluator_client, transcript)
    assert (
        f'<mark class="coded code-colour cr-e0 cg-31 cb-31" data-start="{start}">breakout </mark>'
        f'<mark class="coded coded--overlap code-colour cr-1c cg-7e cb-d6" '
        f'data-start="{inner_start}">rooms made</mark>'
        f'<mark class="coded code-colour cr-e0 cg-31 cb-31" data-start="{inner_end}"> it easy'
        "</mark>" in html
    )


def test_what_people_typed_is_escaped_in_cards_and_highlights(evaluator_client, evaluator, course):
    speaker = ParticipantFactory(course=course, pseudonym="S01")
    words = 'I said <script>alert("x")</script> & left'
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course), turns=[(speaker, words)]
    )
    code = CodeFactory(name="<b>Bold</b>")
    mechanism = MechanismFactory(name="Mix & <i>match</i>")
    start, end = _span_of(transcript, words)
    excerpt_create(
        transcript=transcript,
        start=start,
        end=end,
        coder=evaluator,
        codes=[code],
        mechanisms={mechanism: "mixed"},
        memo="<img src=x onerror=alert(1)>",
    )
    html = _page(evaluator_client, transcript)
    assert "<script>alert" not in html
    assert "<b>Bold</b>" not in html
    assert "<i>match</i>" not in html
    assert "<img src=x" not in html
    escaped = "I said &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; left"
    assert f'data-start="{start}">{escaped}</mark>' in html
    assert f'<blockquote class="excerpt-card__quote">{escaped}</blockquote>' in html
    assert "&lt;b&gt;Bold&lt;/b&gt;</li>" in html
    assert "Mixed</span> Mix &amp; &lt;i&gt;match&lt;/i&gt;</li>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_each_turn_link_names_its_turn_and_range(evaluator_client, transcript):
    html = _page(evaluator_client, transcript)
    start, end = _span_of(transcript, ROOMS)
    assert f'data-code-turn="{start} {end}"' in html
    assert '<span class="visually-hidden"> (turn 2, S01)</span>' in html
    assert '<li class="turn" id="turn-3">' in html


@pytest.mark.parametrize(
    "quote",
    [
        "Short enough.",
        "x" * QUOTE_SHOWN,
        "y" * (QUOTE_SHOWN + 1),
        "word " * 200,
        "e\u0301" * 400,  # 800 code points, 400 characters once composed (NFC)
    ],
)
def test_a_quote_is_shown_as_truncatechars_shows_it(quote):
    assert shown_quote(quote) == truncatechars(quote, QUOTE_SHOWN)
