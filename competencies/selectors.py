"""Reads of frameworks shared by the pages and the API, each at a fixed number of queries."""

from collections import defaultdict

from django.db.models import Prefetch, Q, QuerySet

from competencies.models import (
    Capability,
    CapabilityAssociation,
    Domain,
    Framework,
    LevelDescriptor,
    Theme,
)
from competencies.permissions import can_view_drafts


def frameworks_visible_to(user) -> QuerySet[Framework]:
    frameworks = Framework.objects.all()
    if not can_view_drafts(user):
        frameworks = frameworks.exclude(status=Framework.Status.DRAFT)
    return frameworks


def capabilities_visible_to(user) -> QuerySet[Capability]:
    capabilities = Capability.objects.all()
    if not can_view_drafts(user):
        capabilities = capabilities.exclude(framework__status=Framework.Status.DRAFT)
    return capabilities


def capabilities_matching(queryset: QuerySet[Capability], text: str) -> QuerySet[Capability]:
    """Capabilities whose code, title, description or relevance contain every word of `text`."""
    for word in text.split():
        queryset = queryset.filter(
            Q(code__iexact=word)
            | Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(relevance__icontains=word)
        )
    return queryset


def _depth_first(capabilities: list[dict]) -> list[dict]:
    """Order capabilities parent-first, children after their parent, each level by position."""
    children = defaultdict(list)
    for capability in capabilities:
        children[capability["parent_id"]].append(capability)
    ordered = []

    def visit(parent_id, depth):
        for capability in sorted(children[parent_id], key=lambda item: item["position"]):
            capability["depth"] = depth
            ordered.append(capability)
            visit(capability["id"], depth + 1)

    visit(None, 0)
    return ordered


def framework_tree(framework: Framework) -> dict:
    """The whole framework as plain data: themes, and domains with their capabilities.

    Built from `.values()` rows in five queries whatever the size, because model instances for
    thousands of capabilities cost many times the SQL itself.
    """
    themes = list(
        Theme.objects.filter(framework=framework).values(
            "id", "code", "name", "description", "position"
        )
    )
    theme_refs = {
        theme.pop("id"): {
            "code": theme["code"],
            "name": theme["name"],
            "position": theme["position"],
        }
        for theme in themes
    }
    domains = list(
        Domain.objects.filter(framework=framework).values(
            "id", "uuid", "code", "name", "description", "position"
        )
    )
    capabilities = list(
        Capability.objects.filter(framework=framework).values(
            "id",
            "uuid",
            "domain_id",
            "parent_id",
            "code",
            "title",
            "description",
            "relevance",
            "position",
        )
    )
    descriptors = defaultdict(list)
    for row in LevelDescriptor.objects.filter(capability__framework=framework).values(
        "capability_id", "eqf_level", "text"
    ):
        descriptors[row["capability_id"]].append(
            {"eqf_level": row["eqf_level"], "text": row["text"]}
        )
    capability_themes = defaultdict(list)
    for row in Capability.themes.through.objects.filter(capability__framework=framework).values(
        "capability_id", "theme_id"
    ):
        capability_themes[row["capability_id"]].append(theme_refs[row["theme_id"]])

    uuid_by_id = {capability["id"]: capability["uuid"] for capability in capabilities}
    by_domain = defaultdict(list)
    for capability in _depth_first(capabilities):
        capability["parent"] = uuid_by_id.get(capability.pop("parent_id"))
        capability["themes"] = sorted(
            capability_themes.get(capability["id"], []), key=lambda theme: theme["position"]
        )
        capability["level_descriptors"] = sorted(
            descriptors.get(capability["id"], []), key=lambda descriptor: descriptor["eqf_level"]
        )
        by_domain[capability.pop("domain_id")].append(capability)
        del capability["id"]
    for domain in domains:
        domain["capabilities"] = by_domain.get(domain.pop("id"), [])

    return {
        "uuid": framework.uuid,
        "slug": framework.slug,
        "title": framework.title,
        "version_label": framework.version_label,
        "status": framework.status,
        "language": framework.language,
        "licence": framework.licence,
        "description": framework.description,
        "source": framework.source,
        "published_at": framework.published_at,
        "themes": themes,
        "domains": domains,
    }


def capability_with_links(capability_uuid) -> Capability:
    """One capability with everything its page shows, in a fixed number of queries."""
    return (
        Capability.objects.select_related("framework", "domain", "parent")
        .prefetch_related(
            "themes",
            "references",
            "level_descriptors",
            "children",
            _associations("outgoing_associations", "destination"),
            _associations("incoming_associations", "origin"),
        )
        .get(uuid=capability_uuid)
    )


def _associations(relation: str, other_end: str):
    return Prefetch(
        relation,
        queryset=CapabilityAssociation.objects.select_related(
            f"{other_end}__framework", f"{other_end}__domain"
        ).order_by(f"{other_end}__code"),
    )
