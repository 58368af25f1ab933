"""The agreement API: blind (409) until the evaluator compares, then statistics, agreed coding."""

import uuid

import pytest
from rest_framework.test import APIClient

from evaluation.models import CodingComparison, Excerpt
from evaluation.services.agreement import agreed_excerpt_accept, comparison_start
from tests.evaluation.factories import CodeFactory
from tests.evaluation.test_agreement_computation import (
    KRIPPENDORFF_BINARY_A,
    KRIPPENDORFF_BINARY_B,
    code_turns,
    make_evaluator,
    transcript_of,
    turns_rated_one,
)

pytestmark = pytest.mark.django_db


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(transcript, action=""):
    return f"/api/v1/evaluation/agreement/{transcript.uuid}/" + (f"{action}/" if action else "")


@pytest.fixture
def bob():
    return make_evaluator("bob")


@pytest.fixture
def code():
    return CodeFactory(name="Peers")


@pytest.fixture
def transcript(evaluator, bob, code):
    """Krippendorff's (2011) binary example as the two evaluators' coding of ten turns."""
    transcript = transcript_of(10)
    code_turns(transcript, bob, [code], turns_rated_one(KRIPPENDORFF_BINARY_A))
    code_turns(transcript, evaluator, [code], turns_rated_one(KRIPPENDORFF_BINARY_B))
    return transcript


@pytest.fixture
def api(evaluator, transcript):
    comparison_start(transcript=transcript, coder=evaluator)
    return api_for(evaluator)


def excerpt_of(transcript, coder):
    return Excerpt.objects.filter(transcript=transcript, coder=coder, is_agreed=False).first()


@pytest.mark.parametrize("persona", ["course_lead", "designer", "plain_user"])
def test_other_roles_get_403_everywhere(request, persona, transcript, bob):
    client = api_for(request.getfixturevalue(persona))
    body = {"excerpt": str(excerpt_of(transcript, bob).uuid)}

    assert client.get(url(transcript)).status_code == 403
    assert client.get(url(transcript, "disagreements")).status_code == 403
    for action in ("compare", "accept", "accept-all", "remove"):
        assert client.post(url(transcript, action), body, format="json").status_code == 403
    assert not CodingComparison.objects.exists()
    assert not Excerpt.objects.filter(is_agreed=True).exists()


def test_before_comparing_the_statistics_and_disagreements_answer_409(evaluator, transcript):
    client = api_for(evaluator)

    for path in (url(transcript), url(transcript, "disagreements")):
        response = client.get(path)
        assert response.status_code == 409
        assert "Compare your coding" in response.json()["detail"]


def test_comparing_without_having_coded_answers_409(administrator, transcript):
    response = api_for(administrator).post(url(transcript, "compare"))

    assert response.status_code == 409
    assert "yourself before comparing" in response.json()["detail"]


def test_comparing_records_the_choice(evaluator, transcript):
    response = api_for(evaluator).post(url(transcript, "compare"))

    assert response.status_code == 200
    assert response.json()["coder"] == "evaluator"
    assert CodingComparison.objects.filter(transcript=transcript, coder=evaluator).exists()


def test_statistics_per_code_after_comparing(api, transcript, code):
    response = api.get(url(transcript))

    assert response.status_code == 200
    data = response.json()
    assert data["coders"] == ["bob", "evaluator"]
    assert data["units"] == 10
    (row,) = [row for row in data["codes"] if row["code"]["id"] == str(code.uuid)]
    assert row["status"] == "measured"
    assert row["alpha"] == pytest.approx(0.095, abs=0.0005)
    assert row["kappas"][0]["coders"] == ["bob", "evaluator"]
    assert row["percent_agreement"] == pytest.approx(60.0)
    assert row["units_coded"] == [{"coder": "bob", "units": 2}, {"coder": "evaluator", "units": 4}]
    assert data["mean_alpha"] == pytest.approx(row["alpha"])


def test_an_unused_code_is_reported_in_words_without_numbers(api, transcript):
    unused = CodeFactory(name="Never given")

    data = api.get(url(transcript)).json()

    (row,) = [row for row in data["codes"] if row["code"]["id"] == str(unused.uuid)]
    assert row["status"] == "not_used"
    assert row["note"].startswith("Not used")
    assert row["alpha"] is None


def test_disagreements_list_the_turns_where_the_coders_differ(api, transcript, bob):
    data = api.get(url(transcript, "disagreements")).json()

    # A: 0 1 0 0 0 0 0 0 1 0 against B: 1 1 1 0 0 1 0 0 0 0 differ on turns 0, 2, 5 and 8.
    assert [unit["position"] for unit in data["units"]] == [0, 2, 5, 8]
    bobs = data["units"][3]["coders"][0]
    bobs_on_turn_8 = Excerpt.objects.filter(transcript=transcript, coder=bob).last()
    assert bobs["coder"] == "bob"
    assert [excerpt["id"] for excerpt in bobs["excerpts"]] == [str(bobs_on_turn_8.uuid)]
    assert data["unanimous"] == 1
    assert data["agreed"] == []


def test_accepting_an_excerpt_adds_it_to_the_agreed_coding(api, transcript, bob, code):
    theirs = excerpt_of(transcript, bob)

    response = api.post(url(transcript, "accept"), {"excerpt": str(theirs.uuid)}, format="json")

    assert response.status_code == 201
    data = response.json()
    assert (data["start"], data["end"], data["is_agreed"]) == (theirs.start, theirs.end, True)
    assert data["codes"] == [str(code.uuid)]
    assert data["recorded_by"] == "evaluator"


def test_accepting_a_duplicate_answers_400_naming_the_excerpt(api, evaluator, transcript, bob):
    theirs = excerpt_of(transcript, bob)
    agreed_excerpt_accept(excerpt=theirs, by=evaluator)

    response = api.post(url(transcript, "accept"), {"excerpt": str(theirs.uuid)}, format="json")

    assert response.status_code == 400
    assert "already in the agreed coding" in response.json()["excerpt"][0]


def test_accepting_an_unknown_excerpt_answers_400(api, transcript):
    missing = uuid.uuid4()

    response = api.post(url(transcript, "accept"), {"excerpt": str(missing)}, format="json")

    assert response.status_code == 400
    assert str(missing) in response.json()["excerpt"][0]


def test_accept_all_answers_the_excerpts_added(api, transcript, code):
    response = api.post(url(transcript, "accept-all"))

    assert response.status_code == 200
    (added,) = response.json()["added"]
    assert added["codes"] == [str(code.uuid)]
    assert Excerpt.objects.filter(transcript=transcript, is_agreed=True).count() == 1


def test_removing_an_agreed_excerpt_answers_204(api, evaluator, transcript, bob):
    agreed = agreed_excerpt_accept(excerpt=excerpt_of(transcript, bob), by=evaluator)

    response = api.post(url(transcript, "remove"), {"excerpt": str(agreed.uuid)}, format="json")

    assert response.status_code == 204
    assert not Excerpt.objects.filter(pk=agreed.pk).exists()


def test_removing_a_coders_own_excerpt_answers_400(api, transcript, bob):
    theirs = excerpt_of(transcript, bob)

    response = api.post(url(transcript, "remove"), {"excerpt": str(theirs.uuid)}, format="json")

    assert response.status_code == 400
    assert Excerpt.objects.filter(pk=theirs.pk).exists()


def test_agreed_coding_of_a_replaced_version_answers_409(api, evaluator, transcript, bob):
    theirs = excerpt_of(transcript, bob)
    agreed = agreed_excerpt_accept(excerpt=theirs, by=evaluator)
    transcript.is_current = False
    transcript.save(update_fields=["is_current"])
    refusal = (
        f"Version 1 of the transcript of “{transcript.focus_group.title}” has been replaced by "
        "a newer version; code the current version."
    )

    answers = [
        api.post(url(transcript, "accept"), {"excerpt": str(theirs.uuid)}, format="json"),
        api.post(url(transcript, "accept-all")),
        api.post(url(transcript, "remove"), {"excerpt": str(agreed.uuid)}, format="json"),
    ]

    assert [(answer.status_code, answer.json()) for answer in answers] == [
        (409, {"detail": refusal})
    ] * 3
    assert list(Excerpt.objects.filter(is_agreed=True)) == [agreed]


def test_an_unknown_transcript_answers_404_naming_it(evaluator):
    missing = uuid.uuid4()

    response = api_for(evaluator).get(f"/api/v1/evaluation/agreement/{missing}/")

    assert response.status_code == 404
    assert str(missing) in response.json()["detail"]
