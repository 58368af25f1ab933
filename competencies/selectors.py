"""Reads of frameworks shared by the pages and the API, each at a fixed number of queries."""

from collections import defaultdict

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from competencies.models import (
    Capability,
    CapabilityAssociation,
    Comment,
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


SEARCH_CONFIG = "english"


def capabilities_matching(queryset: QuerySet[Capability], text: str) -> QuerySet[Capability]:
    """Capabilities whose code, title, description or relevance hold every word of `text`.

    PostgreSQL full-text search (stemmed: "stakeholders" finds "stakeholder"); elsewhere a plain
    case-insensitive substring match of each word.
    """
    if connection.vendor == "postgresql":
        vector = (
            SearchVector("code", "title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("description", weight="B", config=SEARCH_CONFIG)
            + SearchVector("relevance", weight="C", config=SEARCH_CONFIG)
        )
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        return queryset.annotate(document=vector).filter(document=query)
    for word in text.split():
        queryset = queryset.filter(
            Q(code__iexact=word)
            | Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(relevance__icontains=word)
        )
    return queryset


def _depth_first(capabilities: dict[int, dict], parent_of: dict[int, int | None]) -> list:
    """(pk, capability) pairs parent-first, children after their parent, each level by position.

    Sets each capability's `depth` on the way.
    """
    children = defaultdict(list)
    for pk, capability in capabilities.items():
        children[parent_of[pk]].append((capability["position"], pk))
    ordered = []

    def visit(parent_pk, depth):
        for _position, pk in sorted(children[parent_pk]):
            capabilities[pk]["depth"] = depth
            ordered.append((pk, capabilities[pk]))
            visit(pk, depth + 1)

    visit(None, 0)
    return ordered


def framework_tree(framework: Framework) -> dict:
    """The whole framework as plain data, in the shape the API returns and the page shows.

    Built from `values_list()` rows in five queries whatever the size: model instances (or nested
    serializers) for thousands of capabilities cost many times the SQL itself. Ordering is done
    here, so the queries carry no ORDER BY and no joins for it.
    """
    themes = {}
    for pk, code, name, description, position in Theme.objects.filter(
        framework=framework
    ).values_list("id", "code", "name", "description", "position"):
        themes[pk] = {"code": code, "name": name, "position": position, "description": description}
    theme_refs = {
        pk: {"code": theme["code"], "name": theme["name"], "position": theme["position"]}
        for pk, theme in themes.items()
    }

    domains = {}
    for pk, uuid, code, name, description, position in (
        Domain.objects.filter(framework=framework)
        .order_by()
        .values_list("id", "uuid", "code", "name", "description", "position")
    ):
        domains[pk] = {
            "id": uuid,
            "code": code,
            "name": name,
            "description": description,
            "position": position,
            "capabilities": [],
        }

    capabilities, parent_of, domain_of = {}, {}, {}
    for pk, uuid, domain_pk, parent_pk, code, title, description, relevance, position in (
        Capability.objects.filter(framework=framework)
        .order_by()
        .values_list(
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
    ):
        capabilities[pk] = {
            "id": uuid,
            "code": code,
            "title": title,
            "description": description,
            "relevance": relevance,
            "position": position,
            "depth": 0,
            "parent": None,
            "themes": [],
            "level_descriptors": [],
        }
        parent_of[pk] = parent_pk
        domain_of[pk] = domain_pk

    for capability_pk, eqf_level, text in (
        LevelDescriptor.objects.filter(capability__framework=framework)
        .order_by("eqf_level")
        .values_list("capability_id", "eqf_level", "text")
    ):
        capabilities[capability_pk]["level_descriptors"].append(
            {"eqf_level": eqf_level, "text": text}
        )
    for capability_pk, theme_pk in (
        Capability.themes.through.objects.filter(capability__framework=framework)
        .order_by("theme__position")
        .values_list("capability_id", "theme_id")
    ):
        capabilities[capability_pk]["themes"].append(theme_refs[theme_pk])

    for pk, capability in _depth_first(capabilities, parent_of):
        if parent_of[pk] is not None:
            capability["parent"] = capabilities[parent_of[pk]]["id"]
        domains[domain_of[pk]]["capabilities"].append(capability)

    return {
        "id": framework.uuid,
        "slug": framework.slug,
        "title": framework.title,
        "version_label": framework.version_label,
        "status": framework.status,
        "language": framework.language,
        "licence": framework.licence,
        "description": framework.description,
        "source": framework.source,
        "published_at": framework.published_at,
        "revision": framework.revision,
        "themes": sorted(themes.values(), key=lambda theme: theme["position"]),
        "domains": sorted(domains.values(), key=lambda domain: domain["position"]),
    }


def open_comment_count(framework: Framework) -> int:
    return Comment.objects.filter(capability__framework=framework, resolved_at=None).count()


def capability_comments(capability: Capability) -> list[Comment]:
    return list(capability.comments.select_related("author", "resolved_by"))


def framework_editor_tree(framework: Framework) -> dict:
    """framework_tree() with each domain's capabilities nested: `top`, and `children` of each."""
    tree = framework_tree(framework)
    for domain in tree["domains"]:
        nodes = {node["id"]: node for node in domain["capabilities"]}
        domain["top"] = []
        for node in domain["capabilities"]:
            node["children"] = []
        for node in domain["capabilities"]:
            siblings = nodes[node["parent"]]["children"] if node["parent"] else domain["top"]
            siblings.append(node)
    return tree


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
