import json
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse

from competencies.interchange.case_export import CaseUris, framework_case_package
from competencies.services import versions
from tests.factories import CapabilityFactory, FrameworkFactory

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "case-v1p0-cfpackage-schema.json").read_text()
)
URIS = CaseUris("https://curriculum.example.org/ims/case/v1p0")


def _package(framework, case_version="1.0"):
    return framework_case_package(framework, case_version=case_version, uris=URIS)


def test_eisen_case_1_0_package_validates_against_the_cfpackage_schema(eisen_framework):
    package = _package(eisen_framework)
    jsonschema.Draft7Validator(
        SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    ).validate(package)
    assert package["CFDocument"]["title"] == "EISEN Competency Framework"
    assert package["CFDocument"]["adoptionStatus"] == "Adopted"
    assert len(package["CFItems"]) == 3 + 15
    types = [association["associationType"] for association in package["CFAssociations"]]
    assert types.count("isChildOf") == 3 + 15
    assert types.count("isRelatedTo") == 1


def test_capabilities_map_to_items_with_relevance_in_notes_for_1_0(eisen_framework):
    items = {item.get("humanCodingScheme"): item for item in _package(eisen_framework)["CFItems"]}
    k5 = items["K5"]
    assert k5["abbreviatedStatement"] == "Local knowledge"
    assert k5["fullStatement"].startswith("Contextualised, insider knowledge")
    assert k5["notes"].startswith("Relevance to research co-production: Research co-production")
    assert k5["conceptKeywords"] == ["Working with stakeholders"]
    assert items["K"]["CFItemType"] == "Domain"


def test_case_1_1_puts_relevance_and_descriptors_in_extensions(eisen_framework):
    capability = eisen_framework.capabilities.get(code="K1")
    capability.level_descriptors.create(eqf_level=8, text="Integrates paradigms.")
    item = next(
        item
        for item in _package(eisen_framework, "1.1")["CFItems"]
        if item.get("humanCodingScheme") == "K1"
    )
    assert item["extensions"] == {
        "relevance": capability.relevance,
        "levelDescriptors": {"8": "Integrates paradigms."},
        "themes": ["research-competence"],
        "references": ["burton-2021", "kislov-2018"],
    }
    assert "notes" not in item


def test_tree_order_is_given_by_sequence_numbers(eisen_framework):
    package = _package(eisen_framework)
    skills = next(item for item in package["CFItems"] if item.get("humanCodingScheme") == "S")
    under_skills = sorted(
        (association["sequenceNumber"], association["originNodeURI"]["title"])
        for association in package["CFAssociations"]
        if association["destinationNodeURI"]["identifier"] == skills["identifier"]
    )
    assert [title for _, title in under_skills][:2] == [
        "Working with multiple communities",
        "Leadership and Political skills",
    ]
    assert under_skills[0][0] == 1


def test_exporting_twice_gives_the_same_identifiers(eisen_framework):
    assert _package(eisen_framework) == _package(eisen_framework)


def test_a_new_versions_capabilities_are_replacements_of_the_old(eisen_framework):
    draft = versions.framework_new_version(framework=eisen_framework, version_label="2.0")
    package = _package(draft)
    replaced = [a for a in package["CFAssociations"] if a["associationType"] == "replacedBy"]
    assert len(replaced) == 15
    old_k1 = eisen_framework.capabilities.get(code="K1")
    new_k1 = draft.capabilities.get(code="K1")
    assert any(
        a["originNodeURI"]["identifier"] == str(old_k1.uuid)
        and a["destinationNodeURI"]["identifier"] == str(new_k1.uuid)
        for a in replaced
    )
    assert package["CFDocument"]["adoptionStatus"] == "Draft"


def test_unknown_case_version_is_refused(eisen_framework):
    with pytest.raises(ValueError, match="CASE version"):
        _package(eisen_framework, "2.0")


# The provider API


def test_provider_lists_published_documents_only(client, eisen_framework):
    FrameworkFactory(draft=True, title="Draft framework")
    body = client.get("/ims/case/v1p0/CFDocuments").json()
    assert [document["title"] for document in body["CFDocuments"]] == ["EISEN Competency Framework"]
    assert body["CFDocuments"][0]["uri"] == (
        f"http://testserver/ims/case/v1p0/CFDocuments/{eisen_framework.uuid}"
    )


def test_provider_serves_package_document_item_and_associations(client, eisen_framework):
    base = "/ims/case/v1p0"
    package = client.get(f"{base}/CFPackages/{eisen_framework.uuid}").json()
    assert len(package["CFItems"]) == 18
    assert client.get(f"{base}/CFDocuments/{eisen_framework.uuid}").json()["version"] == "1.0"

    leadership = eisen_framework.capabilities.get(code="S2")
    item = client.get(f"{base}/CFItems/{leadership.uuid}").json()
    assert item["abbreviatedStatement"] == "Leadership and Political skills"

    link = leadership.outgoing_associations.get()
    assert client.get(f"{base}/CFAssociations/{link.uuid}").json()["associationType"] == (
        "isRelatedTo"
    )
    tree_link = next(
        a
        for a in package["CFAssociations"]
        if a["associationType"] == "isChildOf"
        and a["originNodeURI"]["identifier"] == str(leadership.uuid)
    )
    found = client.get(f"{base}/CFAssociations/{tree_link['identifier']}").json()
    assert found == tree_link

    both = client.get(f"{base}/CFItemAssociations/{leadership.uuid}").json()
    assert both["CFItem"]["identifier"] == str(leadership.uuid)
    assert {a["associationType"] for a in both["CFAssociations"]} == {"isChildOf", "isRelatedTo"}


def test_provider_answers_unknown_and_draft_ids_in_cases_error_shape(client):
    draft = FrameworkFactory(draft=True)
    for path in (
        f"CFPackages/{draft.uuid}",
        f"CFItems/{CapabilityFactory(domain__framework=draft).uuid}",
    ):
        response = client.get(f"/ims/case/v1p0/{path}")
        assert response.status_code == 404
        body = response.json()
        assert body["imsx_codeMajor"] == "failure"
        assert body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == (
            "unknownobject"
        )
    malformed = client.get("/ims/case/v1p0/CFDocuments/not-a-uuid")
    assert malformed.status_code == 400
    assert (
        malformed.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "invalid_uuid"
    )


def test_framework_page_downloads_case_files(client, eisen_framework):
    url = reverse("competencies:framework_download", args=[eisen_framework.uuid, "case-1.1"])
    response = client.get(url)
    assert response["Content-Disposition"] == (
        'attachment; filename="eisen-competency-framework-1.0-case-1.1.json"'
    )
    assert "extensions" in json.loads(response.content)["CFItems"][3]
    page = client.get(eisen_framework.get_absolute_url()).content.decode()
    assert url in page
