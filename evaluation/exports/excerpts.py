"""Which excerpts an export holds, and their links to mechanisms and capabilities, read in a
fixed number of queries for any number of excerpts."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from evaluation.models import (
    Code,
    Coding,
    CodingComparison,
    Excerpt,
    ExcerptCapability,
    ExcerptMechanism,
    Mechanism,
)


def exported_excerpts(user, *, include_all_coders: bool = False) -> QuerySet[Excerpt]:
    """Excerpts of current transcripts: those reports count, or every coder's.

    Older versions of a transcript are left out: an edit carried their codings over to the
    current version. With every coder's excerpts, blind coding still holds: on a transcript
    coded independently, the others' own coding is included only once the user chose to
    compare (as on the coding page).
    """
    excerpts = Excerpt.objects.filter(transcript__is_current=True)
    if not include_all_coders:
        return excerpts.filter(in_analysis=True)
    compared = CodingComparison.objects.filter(transcript=OuterRef("transcript"), coder=user)
    return excerpts.filter(
        Q(in_analysis=True)
        | Q(transcript__independent_coding=False)
        | Q(coder=user)
        | Exists(compared)
    )


def evidence_for(excerpts: QuerySet[Excerpt], mechanisms: QuerySet[Mechanism]):
    """The excerpts linked to one of the mechanisms, or coded with a code linked to one."""
    direct = ExcerptMechanism.objects.filter(mechanism__in=mechanisms).values("excerpt_id")
    through_code = Coding.objects.filter(code__mechanisms__in=mechanisms).values("excerpt_id")
    return excerpts.filter(Q(pk__in=direct) | Q(pk__in=through_code))


@dataclass(frozen=True)
class Link:
    """A mechanism or capability an excerpt or a code is linked to."""

    target_id: int
    label: str
    # Empty for a code's link: codes are linked without a stance.
    stance: str = ""


def direct_links(excerpts: QuerySet[Excerpt]) -> tuple[dict, dict]:
    """Excerpt pk → its mechanism links, and → its capability links (two queries)."""
    mechanisms, capabilities = defaultdict(list), defaultdict(list)
    for excerpt_id, target_id, label, stance in ExcerptMechanism.objects.filter(
        excerpt__in=excerpts.values("pk")
    ).values_list("excerpt_id", "mechanism_id", "mechanism__name", "stance"):
        mechanisms[excerpt_id].append(Link(target_id, label, stance))
    for excerpt_id, target_id, label, stance in ExcerptCapability.objects.filter(
        excerpt__in=excerpts.values("pk")
    ).values_list("excerpt_id", "capability_id", "capability__code", "stance"):
        capabilities[excerpt_id].append(Link(target_id, label, stance))
    return mechanisms, capabilities


def code_links() -> tuple[dict, dict]:
    """Code pk → the mechanisms it is linked to, and → its capabilities (two queries)."""
    mechanisms, capabilities = defaultdict(list), defaultdict(list)
    for code_id, target_id, label in Code.mechanisms.through.objects.values_list(
        "code_id", "mechanism_id", "mechanism__name"
    ):
        mechanisms[code_id].append(Link(target_id, label))
    for code_id, target_id, label in Code.capabilities.through.objects.values_list(
        "code_id", "capability_id", "capability__code"
    ):
        capabilities[code_id].append(Link(target_id, label))
    return mechanisms, capabilities
