"""The codebook and excerpts in the API: evaluators only, ETags, refusals, the blind rule."""

import pytest
from rest_framework.test import APIClient

from evaluation.models import Code, CodingComparison, Excerpt
from evaluation.services.codebook import code_create
from evaluation.services.coding import excerpt_create
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
CODES = "/api/v1/evaluation/codes/"
EXCERPTS = "/api/v1/evaluation/excerpts/"
ROOMS = "The breakout rooms made it easy to talk."


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(evaluator):
    return _api(evaluator)


@pytest.fixture
def course():
    framework = FrameworkFactory(title="EISEN Competency Framework", version_label="1.0")
    return CourseFactory(code="IMP101", framework=framework)


@pytest.fixture
def transcript(course):
    speaker = ParticipantFactory(course=course, pseudonym="S01")
    return TranscriptFactory(
        focus_group=FocusGroupFactory(course=course, title="Session 2"),
        turns=[("Facilitator", "Welcome."), (speaker, ROOMS)],
    )


@pytest.mark.parametrize("persona", ["course_lead", "designer", "plain_user"])
def test_only_evaluators_and_administrators_use_the_coding_api(request, persona, transcript):
    code = CodeFactory()
    excerpt = ExcerptFactory(transcript=transcript)
    client = _api(request.getfixturevalue(persona))
    answers = [
        client.get(CODES),
        client.post(CODES, {"name": "Networking"}, format="json"),
        client.get(f"{CODES}{code.uuid}/"),
        client.get(EXCERPTS),
        client.get(f"{EXCERPTS}{excerpt.uuid}/"),
        client.delete(f"{EXCERPTS}{excerpt.uuid}/", HTTP_IF_MATCH='"1"'),
    ]
    assert [answer.status_code for answer in answers] == [403] * 6
    assert Excerpt.objects.filter(pk=excerpt.pk).exists()


def test_administrators_read_the_codebook(administrator):
    assert _api(administrator).get(CODES).status_code == 200


def test_codes_are_created_read_with_their_path_and_filtered_by_parent(api):
    mechanism = MechanismFactory()
    capability = CapabilityFactory()
    made = api.post(
        CODES,
        {"name": "Networking", "colour": "#2f9e44", "mechanisms": [str(mechanism.uuid)]},
        format="json",
    )
    assert made.status_code == 201
    assert made.headers["ETag"] == '"1"'
    parent = made.json()["id"]
    child = api.post(
        CODES,
        {"name": "Breakout rooms", "parent": parent, "capabilities": [str(capability.uuid)]},
        format="json",
    ).json()
    assert child["path"] == "Networking › Breakout rooms"
    assert child["capabilities"] == [str(capability.uuid)]
    CodingFactory(code=Code.objects.get(uuid=child["id"]))
    listed = api.get(CODES, {"parent": parent}).json()["results"]
    assert [(code["name"], code["coding_count"]) for code in listed] == [("Breakout rooms", 1)]
    top = api.get(CODES, {"top_level": "true"}).json()["results"]
    assert [code["name"] for code in top] == ["Networking"]


def test_a_code_is_changed_with_its_etag_and_a_stale_one_answers_412(api):
    code = code_create(name="Networking")
    url = f"{CODES}{code.uuid}/"
    assert api.patch(url, {"name": "Peers"}, format="json").status_code == 428
    changed = api.patch(url, {"name": "Peers"}, format="json", HTTP_IF_MATCH='"1"')
    assert (changed.status_code, changed.json()["revision"]) == (200, 2)
    stale = api.patch(url, {"name": "Contacts"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current"]["name"] == "Peers"


def test_the_parent_changes_only_through_move_which_refuses_cycles(api):
    rooms = code_create(name="Breakout rooms")
    networking = code_create(name="Networking", parent=rooms)
    refused = api.patch(
        f"{CODES}{rooms.uuid}/", {"parent": None}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert refused.status_code == 400
    assert refused.json()["parent"] == [
        f"A code changes parent through POST …/codes/{rooms.uuid}/move/."
    ]
    cycle = api.post(
        f"{CODES}{rooms.uuid}/move/",
        {"parent": str(networking.uuid)},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert cycle.status_code == 400
    assert cycle.json() == {
        "parent": [
            (
                "“Breakout rooms” cannot go under “Networking”: “Networking” is inside "
                "“Breakout rooms”. Choose a parent outside “Breakout rooms”."
            )
        ]
    }
    moved = api.post(
        f"{CODES}{networking.uuid}/move/", {"parent": None}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert (moved.status_code, moved.json()["parent"], moved.json()["path"]) == (
        200,
        None,
        "Networking",
    )


def test_a_code_in_use_is_not_deleted(api):
    code = CodeFactory(name="Networking")
    CodingFactory(code=code)
    answer = api.delete(f"{CODES}{code.uuid}/", HTTP_IF_MATCH='"1"')
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        "“Networking” is used by 1 coding; take it off that excerpt before deleting it."
    )
    unused = CodeFactory()
    assert api.delete(f"{CODES}{unused.uuid}/", HTTP_IF_MATCH='"1"').status_code == 204


def test_an_excerpt_is_created_with_codes_mechanisms_and_capabilities_by_code(
    api, transcript, course, evaluator
):
    code = CodeFactory(name="Networking")
    mechanism = MechanismFactory(name="International mix")
    by_code = CapabilityFactory(code="K1", domain__framework=course.framework)
    by_uuid = CapabilityFactory(code="K2", domain__framework=course.framework)
    start = transcript.text.index(ROOMS)
    answer = api.post(
        EXCERPTS,
        {
            "transcript": str(transcript.uuid),
            "start": start,
            "end": start + len(ROOMS),
            "codes": [str(code.uuid)],
            "mechanisms": [{"mechanism": str(mechanism.uuid), "stance": "supports"}],
            "capabilities": [
                {"capability": "K1", "stance": "mixed"},
                {"capability": str(by_uuid.uuid), "stance": "challenges"},
            ],
            "valence": "positive",
            "is_exemplar": True,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert answer.headers["ETag"] == '"1"'
    assert (body["quote"], body["participant"], body["coder"], body["in_analysis"]) == (
        ROOMS,
        "S01",
        evaluator.username,
        True,
    )
    assert body["codes"] == [{"id": str(code.uuid), "path": "Networking"}]
    assert body["mechanisms"] == [
        {"mechanism": str(mechanism.uuid), "name": "International mix", "stance": "supports"}
    ]
    assert sorted((link["code"], link["stance"]) for link in body["capabilities"]) == [
        ("K1", "mixed"),
        ("K2", "challenges"),
    ]
    assert by_code.excerpt_links.exists()


def test_an_excerpt_outside_the_transcript_is_refused(api, transcript):
    length = len(transcript.text)
    answer = api.post(
        EXCERPTS, {"transcript": str(transcript.uuid), "start": 3, "end": 900}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "end": [
            (
                f"The excerpt from 3 to 900 falls outside the transcript, which has {length} "
                f"characters: start and end must lie between 0 and {length}."
            )
        ]
    }


def test_after_a_remap_an_excerpt_keeps_its_old_link_when_patched(
    api, transcript, course, evaluator
):
    old_k1 = CapabilityFactory(code="K1", domain__framework=course.framework)
    excerpt = excerpt_create(
        transcript=transcript, start=0, end=8, coder=evaluator, capabilities={old_k1: "supports"}
    )
    remapped_to_version_2(course)

    answer = api.patch(
        f"{EXCERPTS}{excerpt.uuid}/",
        {"capabilities": [{"capability": str(old_k1.uuid), "stance": "mixed"}]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )

    assert answer.status_code == 200
    assert [(link["capability"], link["stance"]) for link in answer.json()["capabilities"]] == [
        (str(old_k1.uuid), "mixed")
    ]


def test_a_capability_of_another_framework_is_refused(api, transcript):
    foreign = CapabilityFactory(
        code="Z9",
        domain__framework=FrameworkFactory(title="Another framework", version_label="2.0"),
    )
    answer = api.post(
        EXCERPTS,
        {
            "transcript": str(transcript.uuid),
            "start": 0,
            "end": 8,
            "capabilities": [{"capability": str(foreign.uuid), "stance": "supports"}],
        },
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "capabilities": [
            (
                "Z9 belongs to “Another framework 2.0”; IMP101 maps to "
                "“EISEN Competency Framework 1.0” only."
            )
        ]
    }
    unknown = api.post(
        EXCERPTS,
        {
            "transcript": str(transcript.uuid),
            "start": 0,
            "end": 8,
            "capabilities": [{"capability": "Z9", "stance": "supports"}],
        },
        format="json",
    )
    assert unknown.json() == {
        "capabilities": [
            (
                "There is no capability Z9 in “EISEN Competency Framework 1.0”, the framework of "
                "IMP101."
            )
        ]
    }
    assert not Excerpt.objects.exists()


def test_coding_without_consent_is_refused_listing_who(api, course):
    refusing = ParticipantFactory(course=course, pseudonym="S04", consented=False)
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course, title="Session 4"), turns=[(refusing, ROOMS)]
    )
    answer = api.post(
        EXCERPTS, {"transcript": str(transcript.uuid), "start": 5, "end": 15}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["non_field_errors"][1:] == [
        "S04 has not consented to: Take part, Transcription."
    ]


def test_an_excerpt_is_changed_and_deleted_with_its_etag(api, transcript, evaluator):
    excerpt = excerpt_create(transcript=transcript, start=0, end=8, coder=evaluator)
    url = f"{EXCERPTS}{excerpt.uuid}/"
    assert api.get(url).headers["ETag"] == '"1"'
    changed = api.patch(url, {"memo": "Later."}, format="json", HTTP_IF_MATCH='"1"')
    assert (changed.status_code, changed.json()["memo"], changed.json()["revision"]) == (
        200,
        "Later.",
        2,
    )
    stale = api.delete(url, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current"]["memo"] == "Later."
    assert api.delete(url).status_code == 428
    assert api.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert not Excerpt.objects.exists()


def test_excerpts_are_filtered_by_transcript_code_mechanism_capability_and_coder(
    api, transcript, course, evaluator
):
    code = CodeFactory()
    mechanism = MechanismFactory()
    capability = CapabilityFactory(domain__framework=course.framework)
    colleague = UserFactory(username="astrid")
    linked = excerpt_create(
        transcript=transcript,
        start=0,
        end=8,
        coder=evaluator,
        codes=[code],
        mechanisms={mechanism: "mixed"},
        capabilities={capability: "supports"},
    )
    other = excerpt_create(transcript=transcript, start=10, end=20, coder=colleague)
    elsewhere = ExcerptFactory()

    def listed(**filters):
        return {row["id"] for row in api.get(EXCERPTS, filters).json()["results"]}

    assert listed(transcript=transcript.uuid) == {str(linked.uuid), str(other.uuid)}
    assert listed(code=code.uuid) == {str(linked.uuid)}
    assert listed(mechanism=mechanism.uuid) == {str(linked.uuid)}
    assert listed(capability=capability.uuid) == {str(linked.uuid)}
    assert listed(coder="astrid") == {str(other.uuid)}
    assert listed(coder=colleague.pk) == {str(other.uuid)}
    assert str(elsewhere.uuid) in listed()


def test_the_blind_rule_holds_in_lists_reads_and_changes(api, evaluator, transcript):
    transcript.independent_coding = True
    transcript.save()
    colleague = UserFactory()
    mine = excerpt_create(transcript=transcript, start=0, end=8, coder=evaluator)
    theirs = excerpt_create(transcript=transcript, start=10, end=20, coder=colleague)
    assert mine.in_analysis is False
    rows = api.get(EXCERPTS, {"transcript": transcript.uuid}).json()["results"]
    assert [row["id"] for row in rows] == [str(mine.uuid)]
    assert api.get(f"{EXCERPTS}{theirs.uuid}/").status_code == 404
    CodingComparison.objects.create(transcript=transcript, coder=evaluator)
    rows = api.get(EXCERPTS, {"transcript": transcript.uuid}).json()["results"]
    assert {row["id"] for row in rows} == {str(mine.uuid), str(theirs.uuid)}
    refused = api.patch(
        f"{EXCERPTS}{theirs.uuid}/", {"memo": "Mine now."}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert refused.status_code == 403
    assert Excerpt.objects.get(pk=theirs.pk).memo == ""


def test_listing_excerpts_costs_the_same_queries_at_any_size(
    api, transcript, evaluator, django_assert_max_num_queries
):
    code = CodeFactory()
    for number in range(30):
        CodingFactory(
            excerpt=ExcerptFactory(
                transcript=transcript, coder=evaluator, start=number, end=number + 5
            ),
            code=code,
        )
    with django_assert_max_num_queries(9):
        assert len(api.get(EXCERPTS).json()["results"]) == 30
