"""Reads for the codebook and the coding page, in a fixed number of queries whatever the size.

The blind rule lives here too: on a transcript coded independently an evaluator sees only their
own excerpts until they choose to compare (a CodingComparison row); then they see everyone's.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from competencies.models import Capability, Framework
from evaluation.consent import missing_consents_for_coding
from evaluation.models import (
    Code,
    Coding,
    CodingComparison,
    Excerpt,
    ExcerptCapability,
    ExcerptMechanism,
    Mechanism,
    Transcript,
)
from evaluation.services.codebook import PATH_SEPARATOR

UNCODED_COLOUR = "#868e96"


def _in_tree_order(codes) -> list[Code]:
    """The codes depth first, siblings by position then name; each gets `depth` and `path`."""
    children = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    for siblings in children.values():
        siblings.sort(key=lambda code: (code.position, code.name.lower(), code.pk))
    ordered = []
    stack = [(code, 0, "") for code in reversed(children[None])]
    while stack:
        code, depth, above = stack.pop()
        code.depth = depth
        code.path = f"{above}{PATH_SEPARATOR}{code.name}" if above else code.name
        ordered.append(code)
        stack.extend((child, depth + 1, code.path) for child in reversed(children[code.pk]))
    return ordered


def codebook_tree() -> list[Code]:
    """Every code in tree order with its number of codings, mechanisms and capabilities."""
    codes = Code.objects.annotate(coding_count=Count("codings")).prefetch_related(
        Prefetch(
            "mechanisms",
            queryset=Mechanism.objects.select_related("logic_model").order_by(
                "logic_model__title", "position"
            ),
        ),
        Prefetch(
            "capabilities",
            queryset=Capability.objects.select_related("framework").order_by(
                "framework__title", "framework__version_label", "code"
            ),
        ),
    )
    return _in_tree_order(codes)


def code_choices() -> list[Code]:
    """The codes in tree order, with `depth` and `path`, for choosing among them (one query)."""
    return _in_tree_order(
        Code.objects.only("pk", "uuid", "parent_id", "name", "colour", "position")
    )


def mechanism_choices() -> list[Mechanism]:
    """Every logic model's mechanisms, model by model (one query)."""
    return list(
        Mechanism.objects.select_related("logic_model").order_by("logic_model__title", "position")
    )


def framework_capabilities(framework: Framework) -> list[Capability]:
    """The framework's capabilities domain by domain, depth first, each with `depth` (one query)."""
    capabilities = list(
        Capability.objects.filter(framework=framework)
        .select_related("domain")
        .order_by("domain__position", "position", "code")
    )
    children = defaultdict(list)
    for capability in capabilities:
        children[capability.parent_id].append(capability)
    ordered = []
    stack = [(capability, 0) for capability in reversed(children[None])]
    while stack:
        capability, depth = stack.pop()
        capability.depth = depth
        ordered.append(capability)
        stack.extend((child, depth + 1) for child in reversed(children[capability.pk]))
    return ordered


def capabilities_matching(words: str, *, leave_out=(), limit: int = 25) -> list[Capability]:
    """Capabilities of published frameworks whose code or title holds every word (one query)."""
    capabilities = Capability.objects.filter(framework__status=Framework.Status.PUBLISHED)
    for word in words.split():
        capabilities = capabilities.filter(Q(code__icontains=word) | Q(title__icontains=word))
    return list(
        capabilities.exclude(pk__in=list(leave_out))
        .select_related("framework")
        .order_by("framework__title", "-framework__published_at", "code")[:limit]
    )


def _compared(user):
    return Exists(CodingComparison.objects.filter(transcript=OuterRef("transcript"), coder=user))


def visible_excerpts(user, excerpts=None):
    """The excerpts the user may see: all on ordinary transcripts; on blind ones their own, and
    everyone's (the agreed coding included) once they have chosen to compare."""
    excerpts = Excerpt.objects.all() if excerpts is None else excerpts
    return excerpts.filter(
        Q(transcript__independent_coding=False) | Q(coder=user) | Q(_compared(user))
    )


def excerpts_visible_to(transcript: Transcript, user):
    return visible_excerpts(user, Excerpt.objects.filter(transcript=transcript))


def with_links(excerpts):
    """Excerpts with their speaker, coder, codes, mechanisms and capabilities (four queries)."""
    return excerpts.select_related("participant", "coder").prefetch_related(
        Prefetch("codings", queryset=Coding.objects.select_related("code").order_by("pk")),
        Prefetch(
            "mechanism_links",
            queryset=ExcerptMechanism.objects.select_related("mechanism__logic_model").order_by(
                "mechanism__logic_model__title", "mechanism__position"
            ),
        ),
        Prefetch(
            "capability_links",
            queryset=ExcerptCapability.objects.select_related("capability").order_by(
                "capability__code"
            ),
        ),
    )


@dataclass
class Segment:
    """A run of a turn's words covered by the same excerpts."""

    start: int
    text: str
    excerpts: list = field(default_factory=list)

    @property
    def colour(self) -> str:
        # The innermost excerpt (the latest to start) gives the colour.
        return self.excerpts[-1].colour if self.excerpts else ""


@dataclass
class Turn:
    speaker: str
    participant: object
    start: int
    end: int
    segments: list


def transcript_turns(transcript: Transcript, utterances: list, excerpts: list) -> list[Turn]:
    """The turns' words cut where excerpts start and end, each run with the excerpts over it.

    A transcript without recognised turns is one turn with no speaker.
    """
    text = transcript.text
    spans = [(turn.start, turn.end, turn) for turn in utterances] or [(0, len(text), None)]
    pending = sorted(excerpts, key=lambda excerpt: (excerpt.start, -excerpt.end))
    waiting = 0
    active: list = []
    turns = []
    for start, end, utterance in spans:
        while waiting < len(pending) and pending[waiting].start < end:
            active.append(pending[waiting])
            waiting += 1
        active = [excerpt for excerpt in active if excerpt.end > start]
        cuts = {start, end}
        for excerpt in active:
            cuts.update(point for point in (excerpt.start, excerpt.end) if start < point < end)
        points = sorted(cuts)
        segments = [
            Segment(
                start=left,
                text=text[left:right],
                excerpts=[e for e in active if e.start <= left and e.end >= right],
            )
            for left, right in pairwise(points)
        ]
        turns.append(
            Turn(
                speaker=utterance.speaker if utterance else "",
                participant=utterance.participant if utterance else None,
                start=start,
                end=end,
                segments=segments,
            )
        )
    return turns


def arranged_excerpts(excerpts, codebook: list[Code]) -> list[Excerpt]:
    """The excerpts with `code_list`, their codes as the codebook has them (with `path`) in
    tree order, and `colour`, the colour of the first."""
    tree = {code.pk: (index, code) for index, code in enumerate(codebook)}
    arranged = []
    for excerpt in excerpts:
        excerpt.code_list = [
            code
            for _index, code in sorted(tree[coding.code_id] for coding in excerpt.codings.all())
        ]
        excerpt.colour = excerpt.code_list[0].colour if excerpt.code_list else UNCODED_COLOUR
        arranged.append(excerpt)
    return arranged


def excerpt_for_card(excerpt: Excerpt, codebook: list[Code]) -> Excerpt:
    """One excerpt, reloaded with its links and arranged as the coding page lists it."""
    return arranged_excerpts(with_links(Excerpt.objects.filter(pk=excerpt.pk)), codebook)[0]


def excerpt_form_choices(transcript: Transcript) -> dict:
    """What the excerpt form offers (three queries): the codebook in tree order, every logic
    model's mechanisms, and the capabilities of the framework the transcript's course uses."""
    return {
        "codebook": code_choices(),
        "mechanisms": mechanism_choices(),
        "capabilities": framework_capabilities(transcript.focus_group.course.framework),
    }


def mark_changeable(excerpts: list[Excerpt], transcript: Transcript, user, compared: bool):
    """Set `can_change` on each excerpt: the rule of services.coding, asked without queries."""
    for excerpt in excerpts:
        excerpt.can_change = transcript.is_current and (
            not transcript.independent_coding
            or excerpt.coder_id == user.pk
            or (excerpt.is_agreed and compared)
        )
    return excerpts


def has_compared(transcript: Transcript, user) -> bool:
    return (
        transcript.independent_coding
        and CodingComparison.objects.filter(transcript=transcript, coder=user).exists()
    )


def coding_page(transcript: Transcript, user) -> dict:
    """Everything the coding page shows, in a fixed number of queries: the turns, the excerpts
    the user may see, and the excerpt form's choices. `transcript` comes with its focus group,
    course and framework loaded."""
    choices = excerpt_form_choices(transcript)
    utterances = list(transcript.utterances.select_related("participant").order_by("position"))
    excerpts = arranged_excerpts(
        with_links(excerpts_visible_to(transcript, user)), choices["codebook"]
    )
    compared = has_compared(transcript, user)
    mark_changeable(excerpts, transcript, user, compared)
    speakers = {turn.participant_id: turn.participant for turn in utterances if turn.participant}
    missing_consents = missing_consents_for_coding(speakers.values())
    return {
        **choices,
        "transcript": transcript,
        "course": transcript.focus_group.course,
        "turns": transcript_turns(transcript, utterances, excerpts),
        "excerpts": excerpts,
        "missing_consents": missing_consents,
        "can_code": transcript.is_current and not missing_consents,
        "blind": transcript.independent_coding and not compared,
    }
