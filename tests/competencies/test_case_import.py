import json
from pathlib import Path

import pytest

from competencies.interchange.case_export import CaseUris, framework_case_package
from competencies.interchange.case_import import case_package_read
from competencies.interchange.imported import ImportRefused
from competencies.models import (
    Capability,
    CapabilityAssociation,
    Domain,
    ExternalAssociation,
    Framework,
)
from competencies.services.importing import framework_import
from competencies.services.versions import framework_new_version

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
ORDERING = DATA / "opensalt_case-v1p0_ACT-Holistic-Math_Ordering.json"
SAMPLE = DATA / "opensalt_case_sample-framework_20c5134f.json"
URIS = CaseUris("https://curriculum.example.org/ims/case/v1p0")


def _import(data: bytes, name="package.json") -> Framework:
    return framework_import(imported=case_package_read(data, source_name=name))


def _export(framework, case_version="1.0") -> dict:
    return framework_case_package(framework, case_version=case_version, uris=URIS)


def _shape(package: dict) -> dict:
    """A package without its identifiers: items by code, the tree, and the links."""
    items = {item["identifier"]: item for item in package["CFItems"]}
    code = {identifier: item["humanCodingScheme"] for identifier, item in items.items()}
    code[package["CFDocument"]["identifier"]] = "(document)"

    def end(node):
        return code.get(node["identifier"], node["identifier"])

    kept = ("CFItemType", "fullStatement", "abbreviatedStatement", "notes", "conceptKeywords")
    return {
        "items": [
            (
                item["humanCodingScheme"],
                *(str(item.get(key)) for key in kept),
                json.dumps(item.get("extensions"), sort_keys=True),
            )
            for item in package["CFItems"]
        ],
        "links": sorted(
            (
                end(link["originNodeURI"]),
                link["associationType"],
                end(link["destinationNodeURI"]),
                link.get("sequenceNumber"),
                link.get("notes", ""),
            )
            for link in package["CFAssociations"]
        ),
        "extensions": package["CFDocument"].get("extensions"),
    }


def _counts():
    return tuple(
        model.objects.count()
        for model in (Framework, Domain, Capability, CapabilityAssociation, ExternalAssociation)
    )


def test_opensalt_ordering_fixture_builds_the_tree_from_is_child_of():
    imported = case_package_read(ORDERING.read_bytes(), source_name=ORDERING.name)
    assert len(imported.nodes) == 28
    assert imported.depth() == 5
    assert imported.report == []

    framework = framework_import(imported=imported)

    assert framework.title == "ACT Holistic Framework, Math"
    assert framework.status == Framework.Status.DRAFT
    assert str(framework.uuid) == "a33fc64e-5c40-11e7-82c4-3d54268aa9ee"
    assert "ACT, Inc." in framework.source
    domain = framework.domains.get()
    assert (domain.code, domain.name) == ("H.A.MATH.GM", "Geometry and Measurement")
    assert framework.capabilities.count() == 27
    level_1 = framework.capabilities.get(code="H.A.MATH.GM.PF.2DFP.L1")
    assert level_1.title == "Level 1"
    assert level_1.description == "Recognize attributes of and name basic 2-D figures"
    assert level_1.parent.code == "H.A.MATH.GM.PF.2DFP"
    assert level_1.parent.parent.parent is None  # PF sits directly in the domain
    assert str(level_1.uuid) == "43bf51d6-3d92-4170-9531-df56731a1b6d"


def test_without_sequence_numbers_siblings_keep_the_order_of_the_file():
    package = json.loads(ORDERING.read_bytes())
    framework = _import(ORDERING.read_bytes())
    listed = [item["humanCodingScheme"] for item in package["CFItems"]]
    top = framework.capabilities.filter(parent=None).order_by("position")
    codes = [capability.code for capability in top]
    assert codes == sorted(codes, key=listed.index)


def test_lenient_sample_keeps_external_links_and_reports_what_it_could_not_take():
    imported = case_package_read(SAMPLE.read_bytes(), source_name=SAMPLE.name)
    framework = framework_import(imported=imported)

    assert framework.domains.count() == 2  # the two clusters
    assert framework.capabilities.count() == 14
    internal = CapabilityAssociation.objects.filter(origin__framework=framework)
    assert sorted(internal.values_list("association_type", flat=True)) == ["precedes"] * 2
    external = ExternalAssociation.objects.filter(capability__framework=framework)
    assert external.count() == 17
    assert set(external.values_list("association_type", flat=True)) == {
        "exactMatchOf",
        "exemplar",
        "isRelatedTo",
        "precedes",
    }
    report = [str(problem) for problem in imported.report]
    assert "$.CFItems: educationalLevel (on 16 items) is not kept" in report
    assert "$.CFItems: the item type Cluster (of 2 items) is not kept" in report
    assert sum("top-level group" in line for line in report) == 4
    # 16 isChildOf + 19 kept links + 4 reported = the 39 associations of the file
    assert 16 + internal.count() + external.count() + 4 == 39


def test_sequence_numbers_given_as_strings_order_the_siblings():
    package = json.loads(SAMPLE.read_bytes())
    framework = _import(json.dumps(package).encode())
    cluster = framework.domains.get(code="CCSS.Math.Content.6.RP.A")
    children = [
        capability.code
        for capability in framework.capabilities.filter(domain=cluster, parent=None).order_by(
            "position"
        )
    ]
    assert children[:3] == [
        "CCSS.Math.Content.6.RP.A.1",
        "CCSS.Math.Content.6.RP.A.2",
        "CCSS.Math.Content.6.RP.A.3",
    ]


def test_missing_full_statement_falls_back_to_the_abbreviated_one():
    package = json.loads(ORDERING.read_bytes())
    item = next(item for item in package["CFItems"] if item.get("abbreviatedStatement"))
    del item["fullStatement"]
    package["CFItems"][0]["surpriseKey"] = "?"
    imported = case_package_read(json.dumps(package).encode())
    node = next(node for node in imported.nodes if node.key == item["identifier"])
    assert node.title == item["abbreviatedStatement"]
    assert any("fullStatement: missing" in str(problem) for problem in imported.report)
    assert "$.CFItems: surpriseKey (on 1 items) is not kept" in map(str, imported.report)


@pytest.mark.parametrize("case_version", ["1.0", "1.1"])
def test_eisen_round_trip_case_to_case_keeps_items_tree_order_and_links(
    eisen_framework, case_version
):
    k1 = eisen_framework.capabilities.get(code="K1")
    k1.level_descriptors.create(eqf_level=7, text="Explains paradigms.")
    first = _export(eisen_framework, case_version)

    framework = _import(json.dumps(first).encode())
    second = _export(framework, case_version)

    assert _shape(second) == _shape(first)
    assert framework.capabilities.get(code="K1").level_descriptors.get().text == (
        "Explains paradigms."
    )
    assert framework.capabilities.get(code="K1").relevance == k1.relevance


def test_case_1_1_round_trip_keeps_references_and_theme_descriptions(eisen_framework):
    framework = _import(json.dumps(_export(eisen_framework, "1.1")).encode())
    k1 = framework.capabilities.get(code="K1")
    assert sorted(k1.references.values_list("key", flat=True)) == ["burton-2021", "kislov-2018"]
    original = eisen_framework.themes.order_by("position")
    copied = framework.themes.order_by("position")
    assert list(copied.values_list("code", "name", "description")) == list(
        original.values_list("code", "name", "description")
    )


@pytest.mark.parametrize("path", [ORDERING, SAMPLE], ids=["ordering", "sample"])
def test_imported_frameworks_round_trip_through_our_export(path):
    first = _export(_import(path.read_bytes()))
    second = _export(_import(json.dumps(first).encode()))
    assert _shape(second) == _shape(first)


def test_a_new_versions_replaced_by_links_survive_a_round_trip(eisen_framework):
    version = framework_new_version(framework=eisen_framework, version_label="2.0")
    first = _export(version)
    second = _export(_import(json.dumps(first).encode()))
    assert _shape(second) == _shape(first)
    assert (
        sum(link["associationType"] == "replacedBy" for link in second["CFAssociations"])
        == eisen_framework.capabilities.count()
    )


def test_identifiers_already_used_here_are_replaced_and_said_so(eisen_framework):
    imported = case_package_read(json.dumps(_export(eisen_framework)).encode())
    framework = framework_import(imported=imported)
    assert framework.uuid != eisen_framework.uuid
    assert framework.slug != eisen_framework.slug
    assert any("already used here" in str(problem) for problem in imported.report)


def _refusal(data: bytes) -> list[str]:
    before = _counts()
    with pytest.raises(ImportRefused) as refused:
        _import(data)
    assert _counts() == before
    return [str(problem) for problem in refused.value.problems]


def test_truncated_json_is_refused_naming_line_and_column():
    data = ORDERING.read_bytes()
    [problem] = _refusal(data[: len(data) // 2])
    assert problem.startswith("line ")
    assert "is the file complete?" in problem


def test_not_json_is_refused():
    [problem] = _refusal(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "not valid JSON" in problem or "not UTF-8" in problem


def test_json_that_is_not_a_package_is_refused_naming_the_path():
    assert _refusal(b'{"CFDocument": {}}') == ["$.CFItems: missing or not a JSON array"]
    assert _refusal(b"[1, 2]") == ["$: a CASE package is a JSON object with CFDocument and CFItems"]


def test_duplicate_identifiers_are_refused_naming_both_places():
    package = json.loads(ORDERING.read_bytes())
    package["CFItems"][5]["identifier"] = package["CFItems"][2]["identifier"]
    [problem] = _refusal(json.dumps(package).encode())
    assert problem.startswith("$.CFItems[5].identifier:")
    assert "first at $.CFItems[2]" in problem


def test_an_is_child_of_cycle_is_refused():
    package = json.loads(ORDERING.read_bytes())
    items = package["CFItems"]
    parent_of = {link["originNodeURI"]["identifier"]: link for link in package["CFAssociations"]}
    # Make the root a child of its own grandchild.
    grandchild = items[2]["identifier"]
    parent_of[items[0]["identifier"]]["destinationNodeURI"] = {
        "identifier": grandchild,
        "uri": "x",
        "title": "x",
    }
    [problem] = _refusal(json.dumps(package).encode())
    assert "the hierarchy has a cycle" in problem
    assert items[0]["identifier"] in problem
    assert grandchild in problem
