"""What the API fuzzing found, each kept as a plain test that runs on every database."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from evaluation.services.coding import excerpt_create
from tests.evaluation.factories import (
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
)

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "²"  # str.isdigit() says yes; int() refuses it


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def transcript():
    course = CourseFactory()
    speaker = ParticipantFactory(course=course, pseudonym="S01")
    return TranscriptFactory(
        focus_group=FocusGroupFactory(course=course),
        turns=[("Facilitator", "Welcome."), (speaker, "The rooms made it easy to talk.")],
    )


# The API


@pytest.mark.parametrize("tag", [f'"{SUPERSCRIPT_TWO}"', '"1\x00"', "W/", '"-1"'])
def test_an_if_match_that_is_no_etag_is_refused_naming_the_header(designer, tag):
    framework = FrameworkFactory(draft=True)
    answer = _api(designer).patch(
        f"/api/v1/frameworks/{framework.uuid}/", {"title": "New"}, HTTP_IF_MATCH=tag
    )
    assert answer.status_code == 400
    assert "If-Match" in answer.json()["detail"]


@pytest.mark.parametrize("coder", [SUPERSCRIPT_TWO, "99999999999999999999999", "nobody"])
def test_excerpts_filtered_by_a_coder_nobody_is_are_none(evaluator, transcript, coder):
    excerpt_create(transcript=transcript, start=0, end=8, coder=evaluator)
    answer = _api(evaluator).get("/api/v1/evaluation/excerpts/", {"coder": coder})
    assert (answer.status_code, answer.json()["count"]) == (200, 0)


def test_excerpts_filtered_by_the_coder_s_numeric_identifier(evaluator, transcript):
    excerpt_create(transcript=transcript, start=0, end=8, coder=evaluator)
    answer = _api(evaluator).get("/api/v1/evaluation/excerpts/", {"coder": str(evaluator.pk)})
    assert answer.json()["count"] == 1


@pytest.mark.parametrize("link", [{}, {"stance": "supports"}])
def test_a_partial_edit_refuses_a_mechanism_link_without_all_its_fields(
    evaluator, transcript, link
):
    excerpt = excerpt_create(transcript=transcript, start=0, end=8, coder=evaluator)
    answer = _api(evaluator).patch(
        f"/api/v1/evaluation/excerpts/{excerpt.uuid}/",
        {"mechanisms": [link]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert answer.status_code == 400
    assert "mechanism" in answer.json()["mechanisms"]["0"]


def test_a_partial_edit_with_whole_links_replaces_them(evaluator, transcript):
    excerpt = excerpt_create(transcript=transcript, start=0, end=8, coder=evaluator)
    mechanism = MechanismFactory()
    answer = _api(evaluator).patch(
        f"/api/v1/evaluation/excerpts/{excerpt.uuid}/",
        {"mechanisms": [{"mechanism": str(mechanism.uuid), "stance": "supports"}]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert answer.status_code == 200
    assert answer.json()["mechanisms"][0]["mechanism"] == str(mechanism.uuid)


def test_a_partial_capability_edit_refuses_a_level_descriptor_without_its_text(designer):
    capability = CapabilityFactory(domain__framework=FrameworkFactory(draft=True))
    answer = _api(designer).patch(
        f"/api/v1/capabilities/{capability.uuid}/",
        {"level_descriptors": [{"eqf_level": 7}]},
        format="json",
        HTTP_IF_MATCH=f'"{capability.revision}"',
    )
    assert answer.status_code == 400
    assert "text" in answer.json()["level_descriptors"]["0"]


def test_an_unknown_api_address_answers_json_and_a_page_address_html(client):
    api = client.get("/api/v1/no-such-thing/")
    assert (api.status_code, api.headers["Content-Type"]) == (404, "application/json")
    assert "/api/v1/no-such-thing/" in api.json()["detail"]
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        ("case-1.1", "application/json"),
        ("moodle", "text/csv"),
        ("workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_framework_files_come_in_the_content_types_the_schema_names(
    designer, schema, kind, content_type
):
    framework = FrameworkFactory()
    answer = _api(designer).get(f"/api/v1/frameworks/{framework.uuid}/export/{kind}/")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].split(";")[0] == content_type
    documented = schema["paths"]["/api/v1/frameworks/{uuid}/export/{kind}/"]["get"]
    assert content_type in documented["responses"]["200"]["content"]


def test_an_outcome_without_a_bloom_level_reads_as_the_schema_allows(administrator, schema):
    outcome = LearningOutcomeFactory(text="Be aware of the partners.", bloom_level="")
    answer = _api(administrator).get(f"/api/v1/outcomes/{outcome.uuid}/")
    assert answer.json()["bloom_level"] == ""
    level = schema["components"]["schemas"]["Outcome"]["properties"]["bloom_level"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in level["oneOf"]


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Capability", "parent"),
        ("Comment", "resolved_by"),
        ("Course", "programme_name"),
        ("Course", "rolled_over_from"),
        ("ExportJob", "requested_by"),
        ("Excerpt", "participant"),
        ("Excerpt", "coder"),
        ("Transcript", "previous"),
        ("Transcript", "created_by"),
        ("FormativeAction", "created_by"),
        ("MechanismAssessment", "assessed_by"),
        ("Consent", "recorded_by"),
        ("ErasureRecord", "erased_by"),
    ],
)
def test_fields_that_can_be_empty_are_documented_as_nullable(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field].get("nullable")


def test_a_course_without_a_programme_reads_programme_name_null(administrator):
    course = CourseFactory(programme=None)
    answer = _api(administrator).get(f"/api/v1/courses/{course.uuid}/")
    assert answer.json()["programme_name"] is None


def test_error_answers_are_documented_with_the_error_body(schema):
    patch = schema["paths"]["/api/v1/frameworks/{uuid}/"]["patch"]["responses"]
    assert {"200", "400", "403", "404", "409", "412", "428"} <= set(patch)
    assert patch["412"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    listing = schema["paths"]["/api/v1/frameworks/"]["get"]["responses"]
    assert {"200", "400", "403", "404"} <= set(listing)
    assert "409" not in listing
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "403" not in token


# The pages with the same pattern of reading numbers from the query string


def test_the_coding_page_ignores_offsets_that_are_no_numbers(evaluator_client, transcript):
    url = reverse("evaluation:coding", args=[transcript.uuid])
    answer = evaluator_client.get(url, {"start": SUPERSCRIPT_TWO, "end": "8"})
    assert answer.status_code == 200


def test_a_capability_row_with_an_index_that_is_no_number_is_not_found(
    evaluator_client, transcript
):
    url = reverse("evaluation:excerpt_capability_row", args=[transcript.uuid])
    assert evaluator_client.get(url, {"index": SUPERSCRIPT_TWO}).status_code == 404
    assert evaluator_client.get(url, {"index": "2"}).status_code == 200


def test_the_codebook_form_ignores_capabilities_that_are_no_numbers(evaluator_client):
    answer = evaluator_client.get(
        reverse("evaluation:code_new"),
        {"capabilities": [SUPERSCRIPT_TWO, "99999999999999999999999"], "capability_q": "K"},
    )
    assert answer.status_code == 200
