"""The agreement page: blind until the evaluator compares, then statistics and agreed coding."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import CodingComparison, Excerpt
from evaluation.services.agreement import agreed_excerpt_accept, comparison_start
from tests.evaluation.factories import CodeFactory
from tests.evaluation.test_agreement_computation import code_turns, make_evaluator, transcript_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def bob():
    return make_evaluator("bob_the_second_coder")


@pytest.fixture
def transcript(evaluator, bob):
    """The evaluator gave "Mine" to turns 0 and 1; bob gave "Theirs" to turns 1 and 2."""
    transcript = transcript_of(4)
    code_turns(transcript, evaluator, [CodeFactory(name="Mine")], [0, 1])
    code_turns(transcript, bob, [CodeFactory(name="Theirs")], [1, 2])
    return transcript


def page_url(transcript):
    return reverse("evaluation:agreement", args=[transcript.uuid])


def excerpt_url(name, transcript, excerpt):
    return reverse(f"evaluation:{name}", args=[transcript.uuid, excerpt.uuid])


def excerpt_of(transcript, coder):
    return Excerpt.objects.filter(transcript=transcript, coder=coder, is_agreed=False).first()


@pytest.mark.parametrize("role_client", ["course_lead", "designer", "plain_user"], indirect=True)
def test_other_roles_get_403_on_the_page_and_its_actions(role_client, transcript, bob):
    theirs = excerpt_of(transcript, bob)

    assert role_client.get(page_url(transcript)).status_code == 403
    for url in (
        reverse("evaluation:agreement_compare", args=[transcript.uuid]),
        reverse("evaluation:agreement_accept_all", args=[transcript.uuid]),
        excerpt_url("agreement_accept", transcript, theirs),
        excerpt_url("agreement_remove", transcript, theirs),
    ):
        assert role_client.post(url).status_code == 403
    assert not CodingComparison.objects.exists()
    assert not Excerpt.objects.filter(is_agreed=True).exists()


def test_anonymous_visitors_are_sent_to_sign_in(anonymous_client, transcript):
    response = anonymous_client.get(page_url(transcript))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_before_comparing_the_page_shows_none_of_the_other_coders_work(
    evaluator_client, transcript
):
    html = evaluator_client.get(page_url(transcript)).content.decode()

    assert "Compare with the other evaluators" in html
    assert "Theirs" not in html
    assert "bob_the_second_coder" not in html
    assert "Turn 2 says something." not in html


def test_the_compare_button_is_only_offered_to_evaluators_who_coded(
    administrator_client, transcript
):
    html = administrator_client.get(page_url(transcript)).content.decode()

    assert "Compare with the other evaluators" not in html
    assert "Code this transcript first" in html


def test_a_transcript_not_coded_independently_says_so(evaluator_client, evaluator):
    transcript = transcript_of(2, independent_coding=False)
    code_turns(transcript, evaluator, [CodeFactory()], [0])

    html = evaluator_client.get(page_url(transcript)).content.decode()

    assert "not coded independently" in html
    assert "Compare with the other evaluators" not in html


def test_comparing_shows_the_statistics_and_where_the_coders_differ(
    evaluator_client, evaluator, transcript
):
    response = evaluator_client.post(
        reverse("evaluation:agreement_compare", args=[transcript.uuid]), follow=True
    )

    html = response.content.decode()
    assert CodingComparison.objects.filter(transcript=transcript, coder=evaluator).exists()
    assert "Agreement per code" in html
    assert '<th scope="row">Theirs</th>' in html
    assert "bob_the_second_coder" in html
    assert "Turn 3, T01" in html  # the third turn: bob's code only
    assert "Turn 4," not in html  # nobody coded the fourth turn
    assert "Compare with the other evaluators" not in html


def test_comparing_without_having_coded_is_refused_with_a_message(administrator_client, transcript):
    response = administrator_client.post(
        reverse("evaluation:agreement_compare", args=[transcript.uuid]), follow=True
    )

    assert "yourself before comparing" in response.content.decode()
    assert not CodingComparison.objects.exists()


def test_accepting_with_htmx_answers_the_updated_agreed_coding(
    evaluator_client, evaluator, transcript, bob
):
    comparison_start(transcript=transcript, coder=evaluator)
    theirs = excerpt_of(transcript, bob)

    response = evaluator_client.post(excerpt_url("agreement_accept", transcript, theirs), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="agreement-work"' in html
    assert "added to the agreed coding" in html
    assert "In the agreed coding" in html
    agreed = Excerpt.objects.get(transcript=transcript, is_agreed=True)
    assert excerpt_url("agreement_remove", transcript, agreed) in html


def test_a_refused_accept_answers_409_with_the_reason(evaluator_client, evaluator, transcript, bob):
    comparison_start(transcript=transcript, coder=evaluator)
    theirs = excerpt_of(transcript, bob)
    agreed_excerpt_accept(excerpt=theirs, by=evaluator)

    response = evaluator_client.post(excerpt_url("agreement_accept", transcript, theirs), **HTMX)

    assert response.status_code == 409
    assert "already in the agreed coding" in response.content.decode()
    assert Excerpt.objects.filter(is_agreed=True).count() == 1


def test_accepting_before_comparing_is_refused(evaluator_client, transcript, bob):
    theirs = excerpt_of(transcript, bob)

    response = evaluator_client.post(excerpt_url("agreement_accept", transcript, theirs), **HTMX)

    html = response.content.decode()
    assert response.status_code == 409
    assert "Compare your coding" in html
    assert "Theirs" not in html
    assert not Excerpt.objects.filter(is_agreed=True).exists()


def test_removing_with_htmx_takes_the_excerpt_out(evaluator_client, evaluator, transcript):
    comparison_start(transcript=transcript, coder=evaluator)
    agreed = agreed_excerpt_accept(excerpt=excerpt_of(transcript, evaluator), by=evaluator)

    response = evaluator_client.post(excerpt_url("agreement_remove", transcript, agreed), **HTMX)

    assert response.status_code == 200
    assert "removed from the agreed coding" in response.content.decode()
    assert not Excerpt.objects.filter(is_agreed=True).exists()


def test_accept_all_without_htmx_goes_back_to_the_agreed_coding(evaluator_client, evaluator, bob):
    transcript = transcript_of(3)
    code = CodeFactory(name="Shared")
    code_turns(transcript, evaluator, [code], [0, 1])
    code_turns(transcript, bob, [code], [0])
    comparison_start(transcript=transcript, coder=evaluator)

    response = evaluator_client.post(
        reverse("evaluation:agreement_accept_all", args=[transcript.uuid])
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#agreed-coding")
    assert Excerpt.objects.filter(transcript=transcript, is_agreed=True).count() == 1


def _coded_transcript(turn_count, evaluator, bob):
    transcript = transcript_of(turn_count)
    codes = [CodeFactory(name=f"Code {turn_count}-{n}") for n in range(3)]
    code_turns(transcript, evaluator, codes[:2], range(0, turn_count, 2))
    code_turns(transcript, bob, codes[1:], range(0, turn_count, 3))
    comparison_start(transcript=transcript, coder=evaluator)
    agreed_excerpt_accept(excerpt=excerpt_of(transcript, bob), by=evaluator)
    return transcript


def test_the_page_costs_the_same_queries_for_20_and_200_turns(evaluator_client, evaluator, bob):
    small, large = _coded_transcript(20, evaluator, bob), _coded_transcript(200, evaluator, bob)
    evaluator_client.get(page_url(small))

    with CaptureQueriesContext(connection) as small_queries:
        small_page = evaluator_client.get(page_url(small))
    with CaptureQueriesContext(connection) as large_queries:
        large_page = evaluator_client.get(page_url(large))

    assert small_page.status_code == large_page.status_code == 200
    assert large_page.content.decode().count("<h3") > small_page.content.decode().count("<h3")
    assert len(large_queries) == len(small_queries)
