"""Reads for the codebook and the coding page, in a fixed number of queries whatever the size.

The blind rule lives here too: on a transcript coded independently an evaluator sees only their
own excerpts until they choose to compare (a CodingComparison row); then they see everyone's.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils.text import Truncator

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
    Participant,
    Stance,
    Transcript,
    Valence,
)
from evaluation.services.codebook import codes_in_tree_order

UNCODED_COLOUR = "#868e96"
QUOTE_SHOWN = 600


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
    return codes_in_tree_order(codes)


def code_choices() -> list[Code]:
    """The codes in tree order, with `depth` and `path`, for choosing among them (one query)."""
    return codes_in_tree_order(
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
            queryset=ExcerptCapability.objects.select_related("capability__framework").order_by(
                "capability__code"
            ),
        ),
    )


@dataclass(slots=True)
class Link:
    """A mechanism or a capability (with its `code`) that an excerpt supports, challenges or
    shows mixed."""

    stance: str
    stance_label: str
    name: str
    code: str = ""


@dataclass(slots=True)
class ExcerptCard:
    """An excerpt as the coding page lists and highlights it.

    Read as plain values rather than model instances, with what the card shows worked out once
    here rather than in the template: a long transcript has thousands of excerpts.
    """

    pk: int
    uuid: str
    start: int
    end: int
    quote: str  # cut to QUOTE_SHOWN characters
    speaker: str | None
    coder_id: int | None
    coder_name: str | None
    valence: str
    is_exemplar: bool
    is_agreed: bool
    memo: str
    revision: int
    valence_label: str = ""
    code_list: list = field(default_factory=list)
    links: list = field(default_factory=list)
    colour: str = UNCODED_COLOUR
    can_change: bool = False
    # Set by the view: the range as the card and its buttons name it, and the addresses of the
    # card's edit and delete when the user may change it.
    place: str = ""
    action_place: str = ""
    edit_url: str = ""
    delete_url: str = ""


# ExcerptCard's fields up to `revision`, in order: a row of them makes a card.
CARD_FIELDS = (
    "pk",
    "uuid",
    "start",
    "end",
    "quote",
    "participant__pseudonym",
    "coder_id",
    f"coder__{get_user_model().USERNAME_FIELD}",
    "valence",
    "is_exemplar",
    "is_agreed",
    "memo",
    "revision",
)


def shown_quote(quote: str) -> str:
    """The quote as truncatechars shows it, without counting it character by character when it
    is short enough already."""
    if len(quote) <= QUOTE_SHOWN and unicodedata.is_normalized("NFC", quote):
        return quote
    return Truncator(quote).chars(QUOTE_SHOWN)


def excerpt_cards(excerpts, codebook: list[Code]) -> list[ExcerptCard]:
    """The excerpts as cards, in the queryset's order (four queries): `code_list`, their codes
    as the codebook has them (with `path`) in tree order; `colour`, the colour of the first;
    `links`, mechanisms model by model, then capabilities by code."""
    valences = {value: str(label) for value, label in Valence.choices}
    stances = {value: str(label) for value, label in Stance.choices}
    cards = {}
    for row in excerpts.values_list(*CARD_FIELDS):
        card = ExcerptCard(*row)
        card.uuid = str(card.uuid)
        card.quote = shown_quote(card.quote)
        card.valence_label = valences[card.valence]
        cards[card.pk] = card
    # Links are read for the same excerpts by subquery; one made since its card was read is
    # left out rather than half shown.
    chosen = excerpts.values("pk")
    tree = {code.pk: (index, code) for index, code in enumerate(codebook)}
    codes = defaultdict(list)
    for excerpt_id, code_id in Coding.objects.filter(excerpt__in=chosen).values_list(
        "excerpt_id", "code_id"
    ):
        if excerpt_id in cards:
            codes[excerpt_id].append(tree[code_id])
    for excerpt_id, placed in codes.items():
        card = cards[excerpt_id]
        card.code_list = [code for _index, code in sorted(placed)]
        card.colour = card.code_list[0].colour
    mechanism_links = (
        ExcerptMechanism.objects.filter(excerpt__in=chosen)
        .order_by("mechanism__logic_model__title", "mechanism__position")
        .values_list("excerpt_id", "stance", "mechanism__name")
    )
    for excerpt_id, stance, name in mechanism_links:
        if excerpt_id in cards:
            cards[excerpt_id].links.append(Link(stance, stances[stance], name))
    capability_links = (
        ExcerptCapability.objects.filter(excerpt__in=chosen)
        .order_by("capability__code")
        .values_list("excerpt_id", "stance", "capability__title", "capability__code")
    )
    for excerpt_id, stance, title, code in capability_links:
        if excerpt_id in cards:
            cards[excerpt_id].links.append(Link(stance, stances[stance], title, code))
    return list(cards.values())


@dataclass(slots=True)
class Segment:
    """A run of a turn's words covered by the same excerpts."""

    start: int
    text: str
    excerpts: list = field(default_factory=list)

    @property
    def colour(self) -> str:
        # The innermost excerpt (the latest to start) gives the colour.
        return self.excerpts[-1].colour if self.excerpts else ""


@dataclass(slots=True)
class Turn:
    speaker: str
    start: int
    end: int
    segments: list
    # The turn's words as HTML and the name of its "Code this turn" link, set by the view.
    words_html: str = ""
    code_label: str = ""


def transcript_turns(
    transcript: Transcript, utterances: list[tuple[str, int, int]], excerpts: list
) -> list[Turn]:
    """The turns (speaker, start, end) with their words cut where excerpts start and end, each
    run with the excerpts over it.

    A transcript without recognised turns is one turn with no speaker.
    """
    text = transcript.text
    spans = utterances or [("", 0, len(text))]
    pending = sorted(excerpts, key=lambda excerpt: (excerpt.start, -excerpt.end))
    waiting = 0
    active: list = []
    turns = []
    for speaker, start, end in spans:
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
        turns.append(Turn(speaker=speaker, start=start, end=end, segments=segments))
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
    """One excerpt, reloaded with its links and its codes arranged as its card lists them: the
    instance the edit form starts from and a conflicting save is shown as."""
    return arranged_excerpts(with_links(Excerpt.objects.filter(pk=excerpt.pk)), codebook)[0]


def excerpt_form_choices(transcript: Transcript) -> dict:
    """What the excerpt form offers (three queries): the codebook in tree order, every logic
    model's mechanisms, and the capabilities of the framework the transcript's course uses."""
    return {
        "codebook": code_choices(),
        "mechanisms": mechanism_choices(),
        "capabilities": framework_capabilities(transcript.focus_group.course.framework),
    }


def mark_changeable(excerpts: list, transcript: Transcript, user, compared: bool) -> list:
    """Set `can_change` on each excerpt (instance or card): the rule of services.coding, asked
    without queries."""
    for excerpt in excerpts:
        excerpt.can_change = transcript.is_current and (
            not transcript.independent_coding
            or excerpt.coder_id == user.pk
            or (excerpt.is_agreed and compared)
        )
    return excerpts


def has_compared(transcript: Transcript, user) -> bool:
    """Whether the user has chosen to compare their coding of a transcript coded independently
    (on an ordinary transcript there is nothing to compare)."""
    return (
        transcript.independent_coding
        and CodingComparison.objects.filter(transcript=transcript, coder=user).exists()
    )


def coding_page(transcript: Transcript, user) -> dict:
    """Everything the coding page shows, in a fixed number of queries: the turns, the excerpts
    the user may see, and the excerpt form's choices. `transcript` comes with its focus group,
    course and framework loaded."""
    choices = excerpt_form_choices(transcript)
    utterances = list(
        transcript.utterances.order_by("position").values_list(
            "speaker", "start", "end", "participant_id", "participant__pseudonym"
        )
    )
    excerpts = excerpt_cards(excerpts_visible_to(transcript, user), choices["codebook"])
    compared = has_compared(transcript, user)
    mark_changeable(excerpts, transcript, user, compared)
    # The speakers as far as the consent check reads them (pk and pseudonym), from the same rows.
    speakers = {
        pk: Participant(pk=pk, pseudonym=pseudonym) for *_turn, pk, pseudonym in utterances if pk
    }
    missing_consents = missing_consents_for_coding(speakers.values())
    return {
        **choices,
        "transcript": transcript,
        "course": transcript.focus_group.course,
        "turns": transcript_turns(transcript, [row[:3] for row in utterances], excerpts),
        "excerpts": excerpts,
        "missing_consents": missing_consents,
        "can_code": transcript.is_current and not missing_consents,
        "blind": transcript.independent_coding and not compared,
    }
