"""Import and export of a generated 5,000-item CASE package, against a floor measured alongside.

Floor for the import: `json.loads` of the same bytes plus one bulk insert of as many capability
rows. Floor for the export: one query of the capability rows plus `json.dumps` of them. Times are
medians; peak memory is Python's own allocations (tracemalloc) in a separate run.
"""

import json
import statistics
import time
import tracemalloc
import uuid

import pytest
from django.db import connection

from competencies.interchange.case_export import CaseUris
from competencies.interchange.formats import export_framework_file
from competencies.models import Capability, Domain, Framework
from competencies.services.importing import framework_import_file

ITEMS = 5000
RUNS = 3
URIS = CaseUris("https://curriculum.example.org/ims/case/v1p0")

pytestmark = pytest.mark.django_db(transaction=True)


def generated_package(items: int) -> bytes:
    """3 domains; under each, capabilities three levels deep; a related link every 50 items."""
    document_id = str(uuid.uuid4())
    document = {"identifier": document_id, "uri": f"urn:doc:{document_id}", "title": "Bench"}
    nodes, associations = [], []

    def add(code, statement, parent, sequence, item_type="Capability"):
        identifier = str(uuid.uuid4())
        nodes.append(
            {
                "identifier": identifier,
                "uri": f"urn:item:{identifier}",
                "humanCodingScheme": code,
                "fullStatement": statement,
                "abbreviatedStatement": statement[:40],
                "CFItemType": item_type,
            }
        )
        associations.append(
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": identifier, "uri": "", "title": code},
                "destinationNodeURI": {"identifier": parent, "uri": "", "title": ""},
                "sequenceNumber": sequence,
            }
        )
        return identifier

    for d in range(3):
        per_domain = (items - 3) // 3 + (d < (items - 3) % 3)
        domain = add(f"D{d}", f"Domain {d}", document_id, d + 1, "Domain")
        made, top = 0, 0
        while made < per_domain:
            top += 1
            parent = add(f"D{d}.{top}", f"Capability {d}.{top} of the bench", domain, top)
            made += 1
            for child in range(1, 10):
                if made >= per_domain:
                    break
                middle = add(f"D{d}.{top}.{child}", f"Sub-capability {child}", parent, child)
                made += 1
                for leaf in range(1, 4):
                    if made >= per_domain:
                        break
                    add(f"D{d}.{top}.{child}.{leaf}", f"Leaf {leaf} of {child}", middle, leaf)
                    made += 1
    capability_ids = [node["identifier"] for node in nodes if node["CFItemType"] == "Capability"]
    for index in range(0, len(capability_ids) - 1, 50):
        associations.append(
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isRelatedTo",
                "originNodeURI": {"identifier": capability_ids[index], "uri": "", "title": ""},
                "destinationNodeURI": {
                    "identifier": capability_ids[index + 1],
                    "uri": "",
                    "title": "",
                },
            }
        )
    package = {"CFDocument": document, "CFItems": nodes, "CFAssociations": associations}
    return json.dumps(package).encode()


def _median_ms(action, runs=RUNS) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def _peak_mb(action) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


def _floor_import(data: bytes) -> None:
    package = json.loads(data)
    framework = Framework.objects.create(
        slug=f"floor-{uuid.uuid4().hex[:8]}", title="Floor", version_label="1.0"
    )
    domain = Domain.objects.create(framework=framework, code="D", name="D", position=0)
    Capability.objects.bulk_create(
        Capability(
            framework=framework,
            domain=domain,
            code=item["humanCodingScheme"],
            title=item["abbreviatedStatement"],
            description=item["fullStatement"],
            position=position,
        )
        for position, item in enumerate(package["CFItems"])
    )


def _floor_export(framework: Framework) -> bytes:
    rows = list(
        Capability.objects.filter(framework=framework).values(
            "uuid", "code", "title", "description", "parent_id", "position"
        )
    )
    return json.dumps(rows, default=str).encode()


def test_case_import_and_export_of_5000_items():
    data = generated_package(ITEMS)
    package_items = len(json.loads(data)["CFItems"])

    import_ms, record = _median_ms(lambda: framework_import_file(data=data, source_name="bench"))
    framework = record.framework
    assert framework.capabilities.count() + framework.domains.count() == package_items
    floor_import_ms, _ = _median_ms(lambda: _floor_import(data))
    export_ms, exported = _median_ms(
        lambda: export_framework_file(framework, "case-1.0", uris=URIS)
    )
    assert len(json.loads(exported)["CFItems"]) == package_items
    floor_export_ms, _ = _median_ms(lambda: _floor_export(framework))

    import_mb = _peak_mb(lambda: framework_import_file(data=data, source_name="bench"))
    floor_import_mb = _peak_mb(lambda: _floor_import(data))
    export_mb = _peak_mb(lambda: export_framework_file(framework, "case-1.0", uris=URIS))
    floor_export_mb = _peak_mb(lambda: _floor_export(framework))

    print()
    print(
        f"Database: {connection.vendor}; CASE package of {package_items} items "
        f"({len(data) / 1024 / 1024:.1f} MB); median of {RUNS} runs"
    )
    print(
        f"{'operation':<16}{'median ms':>11}{'floor ms':>10}{'ratio':>7}"
        f"{'peak MB':>9}{'floor MB':>10}"
    )
    for name, ms, floor_ms, mb, floor_mb in (
        ("CASE import", import_ms, floor_import_ms, import_mb, floor_import_mb),
        ("CASE 1.0 export", export_ms, floor_export_ms, export_mb, floor_export_mb),
    ):
        print(
            f"{name:<16}{ms:>11.0f}{floor_ms:>10.0f}{ms / floor_ms:>7.1f}"
            f"{mb:>9.1f}{floor_mb:>10.1f}"
        )
