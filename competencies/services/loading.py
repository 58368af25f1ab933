"""Operations that write several rows of a framework at once."""

import json
from pathlib import Path

from django.db import models, transaction
from django.utils.dateparse import parse_datetime

from competencies.models import (
    Capability,
    CapabilityAssociation,
    Domain,
    Framework,
    LevelDescriptor,
    Reference,
    Theme,
)

EISEN_FRAMEWORK_FILE = Path(__file__).resolve().parent.parent / "data" / "eisen_framework.json"


def _sync_row(model, *, lookup: dict, values: dict):
    """Create the row, or update only the fields that differ.

    Saving only on a difference keeps a re-run from writing history records, so loading the same
    data twice leaves the database exactly as loading it once.
    """
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **values)
    elif all(getattr(row, field) == value for field, value in values.items()):
        return row
    else:
        for field, value in values.items():
            setattr(row, field, value)
    row.full_clean()
    row.save()
    return row


def _sync_many(related_manager, wanted) -> None:
    if set(related_manager.all()) != set(wanted):
        related_manager.set(wanted)


@transaction.atomic
def framework_load(*, data: dict) -> Framework:
    """Create or bring up to date a published framework from its data-file form.

    Rows are matched by stable identifiers (UUIDs, codes and keys), so a re-run changes nothing
    unless the data file changed.
    """
    meta = data["framework"]
    framework = _sync_row(
        Framework,
        lookup={"uuid": meta["uuid"]},
        values={
            "slug": meta["slug"],
            "title": meta["title"],
            "version_label": meta["version_label"],
            "status": Framework.Status.PUBLISHED,
            "language": meta["language"],
            "licence": meta["licence"],
            "description": meta["description"],
            "source": meta["source"],
            "published_at": parse_datetime(meta["published_at"]),
        },
    )

    themes = {
        theme["code"]: _sync_row(
            Theme,
            lookup={"framework": framework, "code": theme["code"]},
            values={
                "name": theme["name"],
                "description": theme["description"],
                "position": position,
            },
        )
        for position, theme in enumerate(data["themes"], start=1)
    }
    references = {
        reference["key"]: _sync_row(
            Reference,
            lookup={"framework": framework, "key": reference["key"]},
            values={
                "citation": reference["citation"],
                "year": reference.get("year"),
                "doi": reference.get("doi", ""),
                "url": reference.get("url", ""),
            },
        )
        for reference in data["references"]
    }

    capabilities = {}
    for domain_position, domain_data in enumerate(data["domains"]):
        domain = _sync_row(
            Domain,
            lookup={"framework": framework, "code": domain_data["code"]},
            values={
                "name": domain_data["name"],
                "description": domain_data["description"],
                "position": domain_position,
            },
        )
        for position, item in enumerate(domain_data["capabilities"]):
            capability = _sync_row(
                Capability,
                lookup={"uuid": item["uuid"]},
                values={
                    "framework": framework,
                    "domain": domain,
                    "parent": None,
                    "code": item["code"],
                    "title": item["title"],
                    "description": item["description"],
                    "relevance": item["relevance"],
                    "position": position,
                },
            )
            _sync_many(capability.themes, [themes[code] for code in item["themes"]])
            _sync_many(capability.references, [references[key] for key in item["references"]])
            for level, text in item.get("level_descriptors", {}).items():
                _sync_row(
                    LevelDescriptor,
                    lookup={"capability": capability, "eqf_level": int(level)},
                    values={"text": text},
                )
            capabilities[item["code"]] = capability

    for association in data["associations"]:
        _sync_row(
            CapabilityAssociation,
            lookup={
                "origin": capabilities[association["origin"]],
                "destination": capabilities[association["destination"]],
                "association_type": association["type"],
            },
            values={"note": association["note"]},
        )
    return framework


def eisen_framework_load() -> Framework:
    """Load the EISEN Competency Framework 1.0 kept in competencies/data."""
    with EISEN_FRAMEWORK_FILE.open(encoding="utf-8") as data_file:
        return framework_load(data=json.load(data_file))


def eisen_framework_load_summary() -> str:
    framework = eisen_framework_load()
    counts = (
        Capability.objects.filter(framework=framework)
        .values_list("domain__name")
        .annotate(total=models.Count("id"))
        .order_by("domain__position")
    )
    return f"{framework} ({', '.join(f'{name}: {total}' for name, total in counts)} capabilities)"
