"""The coding page: turns with offsets for the selection script, highlighted excerpts, and
excerpts made, changed and deleted in place (htmx), in a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Course, capability_framework_error
from evaluation.models import CodingComparison, Excerpt
from evaluation.services.coding import excerpt_create, excerpt_update
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.evaluation.test_coding_services import remapped_to_version_2
from tests.factories import CapabilityFactory, CourseFactory, FrameworkFactory, UserFactory

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


@pytest.fixture
def code():
    return CodeFactory(name="Networking", colour="#2f9e44")


def _span_of(transcript, words):
    start = transcript.text.index(words)
    return start, start + len(words)


def _coding_url(transcript):
    return reverse("evaluation:coding", args=[transcript.uuid])


def _new_data(start, end, **fields):
    data = {"new-start": start, "new-end": end, "new-valence": "neutral", "new-memo": ""}
    data.update({f"new-{key}": value for key, value in fields.items()})
    return data


@pytest.mark.parametrize("client_name", ["lead_client", "designer_client", "plain_client"])
def test_only_evaluators_and_administrators_reach_coding(request, client_name, transcript):
    excerpt = ExcerptFactory(transcript=transcript)
    client = request.getfixturevalue(client_name)
    asked = [
        client.get(_coding_url(transcript)),
        client.post(reverse("evaluation:excerpt_create", args=[transcript.uuid]), _new_data(0, 9)),
        client.get(
            reverse("evaluation:excerpt_capability_row", args=[transcript.uuid]),
            {"index": 1},
        ),
        client.get(reverse("evaluation:excerpt_card", args=[excerpt.uuid])),
        client.get(reverse("evaluation:excerpt_edit", args=[excerpt.uuid])),
        client.post(reverse("evaluation:excerpt_edit", args=[excerpt.uuid]), {}),
        client.post(reverse("evaluation:excerpt_delete", args=[excerpt.uuid]), {"revision": 1}),
    ]
    assert [response.status_code for response in asked] == [403] * 7
    assert Excerpt.objects.get() == excerpt


def test_every_run_of_words_carries_the_offset_of_its_first_character(
    evaluator_client, transcript, code, evaluator
):
    start, end = _span_of(transcript, "breakout rooms")
    excerpt_create(transcript=transcript, start=start, end=end, coder=evaluator, codes=[code])
    html = evaluator_client.get(_coding_url(transcript)).content.decode()
    runs = re.findall(r'<(?:span|mark)[^>]* data-start="(\d+)">([^<]*)</(?:span|mark)>', html)
    text = "".join(words for _offset, words in runs)
    assert "breakout rooms made it easy to talk &amp; to listen." in text
    for offset, words in runs:
        words = words.replace("&amp;", "&")
        assert transcript.text[int(offset) : int(offset) + len(words)] == words
    assert (
        f'<mark class="coded code-colour cr-2f cg-9e cb-44" data-start="{start}">'
        "breakout rooms</mark>" in html
    )


def test_the_page_lists_the_excerpts_with_codes_links_and_memo(
    evaluator_client, transcript, course, code, evaluator
):
    mechanism = MechanismFactory(name="International mix")
    capability = CapabilityFactory(
        code="K1", title="Systems knowledge", domain__framework=course.framework
    )
    start, end = _span_of(transcript, ROOMS)
    excerpt_create(
        transcript=transcript,
        start=start,
        end=end,
        coder=evaluator,
        codes=[code],
        mechanisms={mechanism: "supports"},
        capabilities={capability: "challenges"},
        valence="positive",
        is_exemplar=True,
        memo="The mix at work.",
    )
    html = evaluator_client.get(_coding_url(transcript)).content.decode()
    card = html[html.index('class="excerpt-card ') :]
    assert "S01" in card
    assert "Positive" in card
    assert "Exemplar" in card
    assert "Networking" in card
    assert "The mix at work." in card
    assert "Supports</span> International mix" in card
    assert 'Challenges</span> <span class="code">K1</span> Systems knowledge' in card
    assert "Code this turn" in html
    assert f'<option value="{capability.pk}">K1 Systems knowledge</option>' in html


def test_the_page_costs_the_same_queries_for_5_or_50_excerpts(
    evaluator_client, transcript, course, evaluator, django_assert_max_num_queries
):
    codes = [CodeFactory(parent=None) for _ in range(3)]
    mechanism = MechanismFactory()
    capability = CapabilityFactory(domain__framework=course.framework)

    def add_excerpts(count):
        for number in range(count):
            excerpt = ExcerptFactory(
                transcript=transcript, coder=evaluator, start=number, end=number + 20
            )
            for code in codes:
                CodingFactory(excerpt=excerpt, code=code)
            excerpt.mechanism_links.create(mechanism=mechanism, stance="supports")
            excerpt.capability_links.create(capability=capability, stance="mixed")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert evaluator_client.get(_coding_url(transcript)).status_code == 200
        return len(captured)

    add_excerpts(5)
    with django_assert_max_num_queries(15):
        few = queries()
    add_excerpts(45)
    assert Excerpt.objects.count() == 50
    assert queries() == few


def test_a_turn_can_be_coded_without_script_through_its_link(evaluator_client, transcript):
    start, end = _span_of(transcript, PLATFORM)
    html = evaluator_client.get(
        _coding_url(transcript), {"start": start, "end": end}
    ).content.decode()
    assert f'href="?start={start}&amp;end={end}#new-excerpt"' in html
    assert f'name="new-start" value="{start}"' in html
    assert f'name="new-end" value="{end}"' in html


def test_speakers_without_consent_are_listed_and_no_form_is_offered(evaluator_client, course):
    refusing = ParticipantFactory(course=course, pseudonym="S07", consented=False)
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course), turns=[(refusing, ROOMS)]
    )
    html = evaluator_client.get(_coding_url(transcript)).content.decode()
    assert "S07 has not consented to: Take part, Transcription." in html
    assert 'id="new-excerpt"' not in html
    assert "Code this turn" not in html


def test_an_old_version_is_shown_but_not_coded(evaluator_client, transcript):
    transcript.is_current = False
    transcript.save()
    html = evaluator_client.get(_coding_url(transcript)).content.decode()
    assert "A newer version of this transcript replaced this one" in html
    assert 'id="new-excerpt"' not in html


def test_an_excerpt_made_with_htmx_returns_the_whole_workspace(
    evaluator_client, transcript, course, code
):
    mechanism = MechanismFactory()
    capability = CapabilityFactory(domain__framework=course.framework)
    start, end = _span_of(transcript, PLATFORM)
    response = evaluator_client.post(
        reverse("evaluation:excerpt_create", args=[transcript.uuid]),
        _new_data(
            start,
            end,
            codes=[code.pk],
            **{
                f"mechanism_{mechanism.pk}": "challenges",
                "capability_0": capability.pk,
                "capability_stance_0": "mixed",
                "valence": "negative",
                "is_exemplar": "on",
            },
        ),
        **HTMX,
    )
    html = response.content.decode()
    assert response.headers["HX-Retarget"] == "#coding-workspace"
    assert html.lstrip().startswith('<div id="coding-workspace"')
    assert f"The excerpt from {start} to {end} is saved." in html
    excerpt = Excerpt.objects.get()
    assert (excerpt.quote, excerpt.valence, excerpt.is_exemplar) == (PLATFORM, "negative", True)
    assert list(excerpt.codes.all()) == [code]
    assert list(excerpt.mechanism_links.values_list("mechanism", "stance")) == [
        (mechanism.pk, "challenges")
    ]
    assert list(excerpt.capability_links.values_list("capability", "stance")) == [
        (capability.pk, "mixed")
    ]


def test_a_refused_excerpt_returns_only_the_form_with_the_reason(evaluator_client, transcript):
    length = len(transcript.text)
    response = evaluator_client.post(
        reverse("evaluation:excerpt_create", args=[transcript.uuid]),
        _new_data(5, 5000, memo="Kept."),
        **HTMX,
    )
    html = response.content.decode()
    assert response.headers["HX-Retarget"] == "#new-excerpt"
    assert html.lstrip().startswith('<section id="new-excerpt"')
    assert (
        f"The excerpt from 5 to 5000 falls outside the transcript, which has {length} "
        f"characters: start and end must lie between 0 and {length}." in html
    )
    assert 'id="id_new-end_error"' in html
    assert "Kept.</textarea>" in html
    assert not Excerpt.objects.exists()


def test_a_stance_without_its_capability_is_refused_in_the_form(
    evaluator_client, transcript, course
):
    CapabilityFactory(domain__framework=course.framework)
    html = evaluator_client.post(
        reverse("evaluation:excerpt_create", args=[transcript.uuid]),
        _new_data(0, 9, capability_stance_0="supports"),
        **HTMX,
    ).content.decode()
    assert "Choose the capability this stance is about, or set the stance back." in html
    assert not Excerpt.objects.exists()


def test_a_capability_of_another_framework_on_a_new_excerpt_is_refused_naming_both(
    evaluator_client, transcript, course
):
    CapabilityFactory(domain__framework=course.framework)
    other = CapabilityFactory(code="Z9", domain__framework=FrameworkFactory(title="Another"))
    html = evaluator_client.post(
        reverse("evaluation:excerpt_create", args=[transcript.uuid]),
        _new_data(0, 9, capability_0=other.pk, capability_stance_0="supports"),
        **HTMX,
    ).content.decode()
    assert capability_framework_error(course, other) in html
    assert not Excerpt.objects.exists()


def test_a_capability_that_no_longer_exists_is_refused_beside_its_row(
    evaluator_client, transcript, course
):
    CapabilityFactory(domain__framework=course.framework)
    gone = CapabilityFactory(domain__framework=course.framework)
    gone_pk = gone.pk
    gone.delete()
    html = evaluator_client.post(
        reverse("evaluation:excerpt_create", args=[transcript.uuid]),
        _new_data(0, 9, capability_0=gone_pk, capability_stance_0="supports"),
        **HTMX,
    ).content.decode()
    row = html[html.index('name="new-capability_0"') :]
    assert row.index(
        f"The capability chosen (number {gone_pk}) no longer exists; choose one from the list."
    ) < row.index('name="new-capability_stance_0"')
    assert not Excerpt.objects.exists()


def test_without_htmx_a_new_excerpt_goes_back_to_the_page_at_the_excerpt(
    evaluator_client, transcript
):
    response = evaluator_client.post(
        reverse("evaluation:excerpt_create", args=[transcript.uuid]), _new_data(0, 9)
    )
    excerpt = Excerpt.objects.get()
    assert response.status_code == 302
    assert response.url == f"{_coding_url(transcript)}#excerpt-{excerpt.uuid}"


def test_another_capability_row_comes_with_the_button_for_the_next(
    evaluator_client, transcript, course
):
    capability = CapabilityFactory(code="K1", domain__framework=course.framework)
    url = reverse("evaluation:excerpt_capability_row", args=[transcript.uuid])
    html = evaluator_client.get(url, {"form": "new", "index": 3}, **HTMX).content.decode()
    assert 'name="new-capability_3"' in html
    assert 'name="new-capability_stance_3"' in html
    assert f'<option value="{capability.pk}">K1 ' in html
    assert 'hx-swap-oob="true"' in html
    assert "index=4" in html
    assert evaluator_client.get(url, {"form": "evil", "index": 1}).status_code == 404


def test_editing_an_excerpt_in_place(evaluator_client, transcript, code, evaluator):
    excerpt = excerpt_create(transcript=transcript, start=0, end=9, coder=evaluator)
    url = reverse("evaluation:excerpt_edit", args=[excerpt.uuid])
    form = evaluator_client.get(url, **HTMX).content.decode()
    prefix = f"excerpt-{excerpt.uuid}"
    assert form.lstrip().startswith(f'<li id="excerpt-{excerpt.uuid}"')
    assert f'name="{prefix}-revision" value="1"' in form
    start, end = _span_of(transcript, ROOMS)
    response = evaluator_client.post(
        url,
        {
            f"{prefix}-revision": 1,
            f"{prefix}-start": start,
            f"{prefix}-end": end,
            f"{prefix}-codes": [code.pk],
            f"{prefix}-valence": "positive",
            f"{prefix}-memo": "Changed.",
        },
        **HTMX,
    )
    assert response.headers["HX-Retarget"] == "#coding-workspace"
    excerpt.refresh_from_db()
    assert (excerpt.quote, excerpt.valence, excerpt.memo, excerpt.revision) == (
        ROOMS,
        "positive",
        "Changed.",
        2,
    )
    assert list(excerpt.codes.all()) == [code]


def test_after_a_remap_an_excerpt_linked_to_the_old_version_is_still_edited(
    evaluator_client, transcript, course, evaluator
):
    old_k1 = CapabilityFactory(
        code="K1", title="Systems knowledge", domain__framework=course.framework
    )
    other = CapabilityFactory(
        code="Z9",
        domain__framework=FrameworkFactory(title="Another framework", version_label="2.0"),
    )
    excerpt = excerpt_create(
        transcript=transcript, start=0, end=9, coder=evaluator, capabilities={old_k1: "supports"}
    )
    new_k1 = remapped_to_version_2(course).capabilities.get(code="K1")
    url = reverse("evaluation:excerpt_edit", args=[excerpt.uuid])
    prefix = f"excerpt-{excerpt.uuid}"

    form = evaluator_client.get(url, **HTMX).content.decode()
    assert f'<option value="{old_k1.pk}" selected>K1 Systems knowledge</option>' in form
    assert f'<option value="{new_k1.pk}">K1 Systems knowledge</option>' in form

    kept = {
        f"{prefix}-revision": 1,
        f"{prefix}-start": 0,
        f"{prefix}-end": 9,
        f"{prefix}-valence": "neutral",
        f"{prefix}-memo": "Kept.",
        f"{prefix}-capability_0": old_k1.pk,
        f"{prefix}-capability_stance_0": "mixed",
    }
    response = evaluator_client.post(url, kept, **HTMX)
    assert response.headers["HX-Retarget"] == "#coding-workspace"
    excerpt.refresh_from_db()
    assert (excerpt.memo, excerpt.revision) == ("Kept.", 2)
    assert list(excerpt.capability_links.values_list("capability", "stance")) == [
        (old_k1.pk, "mixed")
    ]

    refused = {
        **kept,
        f"{prefix}-revision": 2,
        f"{prefix}-memo": "Now with Z9.",
        f"{prefix}-capability_1": other.pk,
        f"{prefix}-capability_stance_1": "supports",
    }
    html = evaluator_client.post(url, refused, **HTMX).content.decode()
    assert capability_framework_error(Course.objects.get(pk=course.pk), other) in html
    assert "Select a valid choice" not in html
    excerpt.refresh_from_db()
    assert (excerpt.memo, excerpt.revision) == ("Kept.", 2)
    assert list(excerpt.capability_links.values_list("capability", "stance")) == [
        (old_k1.pk, "mixed")
    ]


def test_a_stale_edit_keeps_the_choices_and_shows_the_saved_excerpt(
    evaluator_client, transcript, code, evaluator
):
    excerpt = excerpt_create(transcript=transcript, start=0, end=9, coder=evaluator)
    excerpt_update(
        excerpt=excerpt, editor=evaluator, expected_revision=1, codes=[code], memo="Theirs."
    )
    prefix = f"excerpt-{excerpt.uuid}"
    response = evaluator_client.post(
        reverse("evaluation:excerpt_edit", args=[excerpt.uuid]),
        {
            f"{prefix}-revision": 1,
            f"{prefix}-start": 0,
            f"{prefix}-end": 9,
            f"{prefix}-valence": "neutral",
            f"{prefix}-memo": "Mine.",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this excerpt while you were editing it." in html
    assert '<dd data-testid="their-codes">Networking</dd>' in html
    assert "Mine.</textarea>" in html
    assert f'name="{prefix}-revision" value="2"' in html
    assert Excerpt.objects.get().memo == "Theirs."


def test_deleting_an_excerpt_returns_the_workspace_without_it(
    evaluator_client, transcript, evaluator
):
    excerpt = excerpt_create(transcript=transcript, start=0, end=9, coder=evaluator)
    response = evaluator_client.post(
        reverse("evaluation:excerpt_delete", args=[excerpt.uuid]), {"revision": 1}, **HTMX
    )
    html = response.content.decode()
    assert response.headers["HX-Retarget"] == "#coding-workspace"
    assert f"The excerpt from {excerpt.start} to {excerpt.end} is deleted." in html
    assert f'id="excerpt-{excerpt.uuid}"' not in html
    assert not Excerpt.objects.exists()


def test_a_stale_delete_is_refused_with_a_message(evaluator_client, transcript, evaluator):
    excerpt = excerpt_create(transcript=transcript, start=0, end=9, coder=evaluator)
    excerpt_update(excerpt=excerpt, editor=evaluator, expected_revision=1, memo="Changed.")
    html = evaluator_client.post(
        reverse("evaluation:excerpt_delete", args=[excerpt.uuid]), {"revision": 1}, **HTMX
    ).content.decode()
    assert "it was not deleted" in html
    assert Excerpt.objects.exists()


def test_blind_coding_hides_others_excerpts_until_comparing(
    evaluator_client, evaluator, transcript
):
    transcript.independent_coding = True
    transcript.save()
    colleague = UserFactory(username="astrid")
    start, end = _span_of(transcript, PLATFORM)
    theirs = ExcerptFactory(
        transcript=transcript, coder=colleague, start=start, end=end, quote=PLATFORM
    )
    html = evaluator_client.get(_coding_url(transcript)).content.decode()
    assert "you see only your own excerpts" in html
    assert f'id="excerpt-{theirs.uuid}"' not in html
    edit_url = reverse("evaluation:excerpt_edit", args=[theirs.uuid])
    assert evaluator_client.get(edit_url).status_code == 404

    CodingComparison.objects.create(transcript=transcript, coder=evaluator)
    html = evaluator_client.get(_coding_url(transcript)).content.decode()
    card = html[html.index(f'id="excerpt-{theirs.uuid}"') :]
    assert "coded by astrid" in card
    assert edit_url not in html
    assert evaluator_client.get(edit_url).status_code == 403
    response = evaluator_client.post(
        reverse("evaluation:excerpt_delete", args=[theirs.uuid]), {"revision": 1}
    )
    assert response.status_code == 403
    assert Excerpt.objects.filter(pk=theirs.pk).exists()
