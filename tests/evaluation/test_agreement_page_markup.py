"""What the agreement page writes for each disagreeing turn and agreed excerpt: user text kept as
text, tables and buttons named for screen readers, and forms that post where they say."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.text import Truncator

from evaluation.models import Excerpt
from evaluation.services.agreement import agreed_excerpt_accept, comparison_start
from tests.evaluation.factories import CodeFactory, CodingFactory, ExcerptFactory, TranscriptFactory
from tests.evaluation.test_agreement_computation import code_turns, make_evaluator, transcript_of

pytestmark = pytest.mark.django_db

SCRIPT_TURN = "<script>alert('turn')</script> was said"
SCRIPT_CODE = "<script>alert('code')</script> & co"


@pytest.fixture
def bob():
    return make_evaluator("bob")


def page_of(client, transcript) -> str:
    response = client.get(reverse("evaluation:agreement", args=[transcript.uuid]))
    assert response.status_code == 200
    return response.content.decode()


def work_of(html: str) -> str:
    """The disagreeing turns and the agreed coding: the part of the page built per row."""
    return html[html.index('id="agreement-work"') :]


def accept_url(transcript, excerpt):
    return reverse("evaluation:agreement_accept", args=[transcript.uuid, excerpt.uuid])


def remove_url(transcript, excerpt):
    return reverse("evaluation:agreement_remove", args=[transcript.uuid, excerpt.uuid])


def test_turn_words_quotes_code_names_and_speakers_stay_text(evaluator_client, evaluator, bob):
    transcript = TranscriptFactory(
        turns=[("<b>S01</b>", SCRIPT_TURN), ("T01", "Fine.")], independent_coding=True
    )
    parent = CodeFactory(name=SCRIPT_CODE)
    child = CodeFactory(name="<i>child</i>", parent=parent)
    code_turns(transcript, evaluator, [parent], [0])
    code_turns(transcript, bob, [child], [0])
    comparison_start(transcript=transcript, coder=evaluator)
    agreed_excerpt_accept(
        excerpt=Excerpt.objects.get(transcript=transcript, coder=bob), by=evaluator
    )

    work = work_of(page_of(evaluator_client, transcript))

    assert "<script>alert(" not in work
    assert "<b>S01</b>" not in work
    assert "<i>child</i>" not in work
    turn = "&lt;script&gt;alert(&#x27;turn&#x27;)&lt;/script&gt; was said"
    code = "&lt;script&gt;alert(&#x27;code&#x27;)&lt;/script&gt; &amp; co"
    assert f"<blockquote>{turn}</blockquote>" in work
    assert work.count(f"“{turn}”") == 3  # each coder's excerpt and the agreed one
    assert "Turn 1, &lt;b&gt;S01&lt;/b&gt;" in work
    assert f"<mark>{code}</mark>, <mark>{code} › &lt;i&gt;child&lt;/i&gt;</mark>" in work
    assert f"<td>{code} › &lt;i&gt;child&lt;/i&gt;</td>" in work  # in the agreed coding


def test_each_disagreeing_turn_is_a_labelled_section_with_a_captioned_table(
    evaluator_client, evaluator, bob
):
    transcript = transcript_of(3)
    code_turns(transcript, evaluator, [CodeFactory(name="Mine")], [1])
    code_turns(transcript, bob, [CodeFactory(name="Theirs")], [1])
    comparison_start(transcript=transcript, coder=evaluator)

    work = work_of(page_of(evaluator_client, transcript))

    assert '<section class="change" aria-labelledby="turn-1">' in work
    assert '<h3 id="turn-1">Turn 2, T01</h3>' in work
    assert '<caption class="visually-hidden">Each evaluator\'s coding of turn 2</caption>' in work
    for header in ("Evaluator", "Codes on this turn", "Their excerpts"):
        assert f'<th scope="col">{header}</th>' in work
    assert '<th scope="row">bob</th>' in work
    assert '<th scope="row">evaluator</th>' in work
    assert '<mark>Theirs<span class="visually-hidden"> (differs)</span></mark>' in work
    assert "Codes they differ on: <mark>Mine</mark>, <mark>Theirs</mark>" in work


def test_accept_and_remove_buttons_name_their_excerpt_and_post_to_it(
    evaluator_client, evaluator, bob
):
    transcript = transcript_of(3)
    code_turns(transcript, evaluator, [CodeFactory(name="Mine")], [0, 1])
    code_turns(transcript, bob, [CodeFactory(name="Theirs")], [1, 2])
    comparison_start(transcript=transcript, coder=evaluator)
    mine = Excerpt.objects.get(transcript=transcript, coder=evaluator)
    theirs = Excerpt.objects.get(transcript=transcript, coder=bob)
    agreed = agreed_excerpt_accept(excerpt=mine, by=evaluator)

    work = work_of(page_of(evaluator_client, transcript))

    url = accept_url(transcript, theirs)
    assert f'action="{url}" hx-post="{url}"' in work
    assert (
        f'<span class="visually-hidden"> bob\'s excerpt, characters {theirs.start} to '
        f"{theirs.end}, into the agreed coding</span>"
    ) in work
    assert accept_url(transcript, mine) not in work
    assert "In the agreed coding" in work
    url = remove_url(transcript, agreed)
    assert f'action="{url}" hx-post="{url}"' in work
    assert (
        f'Remove<span class="visually-hidden"> characters {agreed.start} to {agreed.end} '
        "from the agreed coding</span>"
    ) in work
    assert f'<span class="muted">characters {agreed.start} to {agreed.end}</span>' in work
    assert "<td>evaluator</td>" in work  # who recorded it


def test_a_long_quote_is_cut_to_200_characters_and_a_short_one_is_whole(
    evaluator_client, evaluator, bob
):
    transcript = transcript_of(2)
    code, other = CodeFactory(name="Mine"), CodeFactory(name="Theirs")
    long_quote, short_quote = "a" * 150 + " " + "b" * 150, "c" * 200
    for coder, quote, given in ((evaluator, long_quote, code), (bob, short_quote, other)):
        CodingFactory(
            code=given, excerpt=ExcerptFactory(transcript=transcript, coder=coder, quote=quote)
        )
    comparison_start(transcript=transcript, coder=evaluator)

    work = work_of(page_of(evaluator_client, transcript))

    assert f"“{Truncator(long_quote).chars(200)}”" in work
    assert long_quote[:200] not in work
    assert f"“{short_quote}”" in work


def test_the_forms_carry_a_token_that_passes_the_csrf_check(evaluator, bob):
    transcript = transcript_of(2)
    code_turns(transcript, evaluator, [CodeFactory(name="Mine")], [0])
    code_turns(transcript, bob, [CodeFactory(name="Theirs")], [0])
    comparison_start(transcript=transcript, coder=evaluator)
    theirs = Excerpt.objects.get(transcript=transcript, coder=bob)
    client = Client(enforce_csrf_checks=True)
    client.force_login(evaluator)
    work = work_of(page_of(client, transcript))
    form = re.search(
        rf'<form method="post" action="{re.escape(accept_url(transcript, theirs))}".*?</form>',
        work,
        re.DOTALL,
    ).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    refused = client.post(accept_url(transcript, theirs))
    accepted = client.post(accept_url(transcript, theirs), {"csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Excerpt.objects.filter(transcript=transcript, is_agreed=True).count() == 1
