"""Students' words are personal data: course leads, designers and other users get 403 on every
focus group, participant, consent, identity and transcript page and endpoint."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.evaluation.factories import (
    ConsentFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)

pytestmark = pytest.mark.django_db

OUTSIDERS = ["designer", "course_lead", "plain_user"]


@pytest.fixture
def objects():
    focus_group = FocusGroupFactory()
    participant = ParticipantFactory(course=focus_group.course, consented=False)
    return {
        "focus_group": focus_group,
        "participant": participant,
        "consent": ConsentFactory(participant=participant),
        "transcript": TranscriptFactory(focus_group=focus_group, turns=[(participant, "Hi.")]),
    }


PAGES = [
    ("focus_group_list", None),
    ("focus_group_create", None),
    ("focus_group_detail", "focus_group"),
    ("focus_group_edit", "focus_group"),
    ("focus_group_delete", "focus_group"),
    ("transcript_create", "focus_group"),
    ("participant_list", None),
    ("participant_create", None),
    ("participant_create_many", None),
    ("participant_detail", "participant"),
    ("participant_edit", "participant"),
    ("consent_create", "participant"),
    ("consent_withdraw", "participant"),
    ("participant_identity", "participant"),
    ("participant_identity_remove", "participant"),
    ("transcript_detail", "transcript"),
    ("transcript_revise", "transcript"),
    ("transcript_independent_coding", "transcript"),
]


def page_url(objects, name, key):
    args = [objects[key].uuid] if key else []
    return reverse(f"evaluation:{name}", args=args)


@pytest.mark.parametrize("role_client", OUTSIDERS, indirect=True)
@pytest.mark.parametrize(("name", "key"), PAGES)
def test_outsiders_get_403_on_every_page_whatever_the_method(role_client, objects, name, key):
    url = page_url(objects, name, key)
    assert role_client.get(url).status_code in (403, 405)
    assert role_client.post(url, {"revision": 1, "text": "S01: x"}).status_code == 403


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(anonymous_client, objects, name, key):
    response = anonymous_client.post(page_url(objects, name, key))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "key"), [page for page in PAGES if "remove" not in page[0]])
def test_evaluators_get_in(evaluator_client, objects, name, key):
    response = evaluator_client.get(page_url(objects, name, key))
    if name == "participant_identity":
        assert response.status_code == 403  # the identity key needs its own permission
    else:
        assert response.status_code in (200, 405)


def api_requests(objects):
    focus_group, participant = objects["focus_group"], objects["participant"]
    transcript, consent = objects["transcript"], objects["consent"]
    base = "/api/v1/evaluation"
    return [
        ("get", f"{base}/focus-groups/"),
        ("post", f"{base}/focus-groups/"),
        ("get", f"{base}/focus-groups/{focus_group.uuid}/"),
        ("patch", f"{base}/focus-groups/{focus_group.uuid}/"),
        ("delete", f"{base}/focus-groups/{focus_group.uuid}/"),
        ("get", f"{base}/participants/"),
        ("post", f"{base}/participants/"),
        ("post", f"{base}/participants/several/"),
        ("get", f"{base}/participants/{participant.uuid}/"),
        ("patch", f"{base}/participants/{participant.uuid}/"),
        ("get", f"{base}/consents/"),
        ("post", f"{base}/consents/"),
        ("get", f"{base}/consents/{consent.pk}/"),
        ("post", f"{base}/consents/{consent.pk}/withdraw/"),
        ("get", f"{base}/identities/{participant.uuid}/"),
        ("put", f"{base}/identities/{participant.uuid}/"),
        ("delete", f"{base}/identities/{participant.uuid}/"),
        ("get", f"{base}/transcripts/"),
        ("post", f"{base}/transcripts/"),
        ("get", f"{base}/transcripts/{transcript.uuid}/"),
        ("patch", f"{base}/transcripts/{transcript.uuid}/"),
        ("post", f"{base}/transcripts/{transcript.uuid}/revise/"),
    ]


@pytest.mark.parametrize("persona", [*OUTSIDERS, None])
def test_outsiders_and_anonymous_get_403_on_every_endpoint(request, objects, persona):
    api = APIClient()
    if persona:
        api.force_authenticate(request.getfixturevalue(persona))
    for method, url in api_requests(objects):
        response = getattr(api, method)(url, {}, format="json")
        assert response.status_code == 403, (method, url, response.status_code)


def test_an_evaluator_without_the_identity_permission_gets_403_on_identities(evaluator, objects):
    api = APIClient()
    api.force_authenticate(evaluator)
    for method, url in api_requests(objects):
        if "/identities/" in url:
            assert getattr(api, method)(url, {}, format="json").status_code == 403
