"""The agreement page of an independently coded transcript, and its actions (htmx).

Before an evaluator chooses to compare, the page explains blind coding and offers the choice;
nothing of the other evaluators' coding is read for it. After, it shows kappa and alpha per
code, the turns where the coders differ with buttons that copy an excerpt into the agreed
coding, and the agreed coding so far.
"""

import unicodedata
from typing import TypedDict
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from eisen.errors import Conflict
from evaluation.agreement import (
    AgreementReview,
    CodeMark,
    CodeRef,
    ExcerptOnUnit,
    agreement_for_transcript,
    agreement_review,
)
from evaluation.models import Excerpt, Transcript
from evaluation.selectors.coding import has_compared
from evaluation.services.agreement import (
    agreed_excerpt_accept,
    agreed_excerpt_remove,
    agreed_units_accept_all,
    comparison_start,
    has_coded,
)
from evaluation.views.common import evaluator_required

TEMPLATE = "evaluation/agreement/agreement.html"
QUOTE_SHOWN = 200


def _transcript(transcript_uuid) -> Transcript:
    return get_object_or_404(
        Transcript.objects.select_related("focus_group__course"), uuid=transcript_uuid
    )


def _excerpt(transcript: Transcript, excerpt_uuid) -> Excerpt:
    excerpt = get_object_or_404(Excerpt, uuid=excerpt_uuid, transcript=transcript)
    excerpt.transcript = transcript
    return excerpt


def review_words() -> dict:
    """The words every disagreeing turn and agreed excerpt repeats, translated and escaped once
    per page rather than once per row."""
    words = {
        "differ_on": _("Codes they differ on:"),
        "evaluator": _("Evaluator"),
        "codes_on_turn": _("Codes on this turn"),
        "their_excerpts": _("Their excerpts"),
        "in_agreed_coding": _("In the agreed coding"),
        "accept": _("Accept"),
        "remove": _("Remove"),
    }
    return {key: conditional_escape(text) for key, text in words.items()}


# The rows are dictionaries: the template finds a dictionary's key at once, where it tries an
# object's attribute only after a failed key lookup.
class ExcerptRow(TypedDict):
    """A coder's excerpt on a disagreeing turn, its text escaped; no address once it is agreed."""

    quote: str
    codes: str
    accept_url: str
    accept_label: str


class CoderRow(TypedDict):
    coder: str
    codes: str
    excerpts: list[ExcerptRow]


class TurnRow(TypedDict):
    anchor: str
    heading: str
    words: str
    differing: str
    caption: str
    coders: list[CoderRow]


class AgreedRow(TypedDict):
    quote: str
    place: str
    codes: str
    recorded_by: str
    remove_url: str
    remove_label: str


class ReviewRows:
    """The disagreeing turns and the agreed coding as rows of escaped strings for the template.

    A long transcript has hundreds of disagreeing turns, each with every coder's codes, excerpts
    and accept buttons. Building their texts and addresses here, with the translations and
    addresses worked out once per page and each set of codes written once, keeps the template
    to a few plain substitutions per row: translating and reversing in the loop cost several
    times as much. Every user text (turn, quote, code path, username) goes through `escape`.
    """

    def __init__(self, transcript: Transcript, review: AgreementReview):
        self.review = review
        self.no_code = escape(_("No code"))
        self.no_code_muted = mark_safe(f'<span class="muted">{self.no_code}</span>')
        self.differs = escape(_("(differs)"))
        self.turn_heading = _("Turn %(number)s, %(speaker)s")
        self.turn_caption = _("Each evaluator's coding of turn %(number)s")
        self.accept_label = _(
            "%(coder)s's excerpt, characters %(start)s to %(end)s, into the agreed coding"
        )
        self.characters = _("characters %(start)s to %(end)s")
        self.remove_label = _("characters %(start)s to %(end)s from the agreed coding")
        self.accept_url = _excerpt_address("evaluation:agreement_accept", transcript)
        self.remove_url = _excerpt_address("evaluation:agreement_remove", transcript)
        self.paths: dict[int, str] = {}
        self.code_lists: dict[tuple, str] = {}
        self.excerpt_rows: dict[int, ExcerptRow] = {}

    def _path(self, code: CodeRef) -> str:
        if code.id not in self.paths:
            self.paths[code.id] = escape(code.path)
        return self.paths[code.id]

    def _codes(self, codes: tuple[CodeRef, ...], empty: str) -> str:
        key = ("plain", empty, *(code.id for code in codes))
        if key not in self.code_lists:
            text = ", ".join(self._path(code) for code in codes)
            self.code_lists[key] = mark_safe(text or empty)
        return self.code_lists[key]

    def _marked(self, codes: tuple[CodeRef, ...]) -> str:
        key = ("marked", *(code.id for code in codes))
        if key not in self.code_lists:
            text = ", ".join(f"<mark>{self._path(code)}</mark>" for code in codes)
            self.code_lists[key] = mark_safe(text)
        return self.code_lists[key]

    def _marks(self, marks: tuple[CodeMark, ...]) -> str:
        key = ("marks", *((mark.code.id, mark.differs) for mark in marks))
        if key not in self.code_lists:
            hidden = f'<span class="visually-hidden"> {self.differs}</span>'
            text = ", ".join(
                f"<mark>{self._path(mark.code)}{hidden}</mark>"
                if mark.differs
                else self._path(mark.code)
                for mark in marks
            )
            self.code_lists[key] = mark_safe(text or self.no_code_muted)
        return self.code_lists[key]

    def _excerpt_row(self, placed: ExcerptOnUnit, coder: str) -> ExcerptRow:
        excerpt = placed.excerpt
        if excerpt.id not in self.excerpt_rows:
            accept_url, accept_label = "", ""
            if not placed.in_agreed_coding:
                accept_url = _with_excerpt(self.accept_url, excerpt.uuid)
                accept_label = mark_safe(
                    self.accept_label % {"coder": coder, "start": excerpt.start, "end": excerpt.end}
                )
            self.excerpt_rows[excerpt.id] = ExcerptRow(
                quote=_quote(excerpt.quote),
                codes=self._codes(placed.codes, self.no_code),
                accept_url=accept_url,
                accept_label=accept_label,
            )
        return self.excerpt_rows[excerpt.id]

    def turns(self) -> list[TurnRow]:
        names = {}
        rows = []
        for item in self.review.units:
            unit = item.unit
            number = unit.position + 1
            coders = []
            for entry in item.coders:
                if entry.coder not in names:
                    names[entry.coder] = escape(entry.coder)
                name = names[entry.coder]
                coders.append(
                    CoderRow(
                        coder=name,
                        codes=self._marks(entry.codes),
                        excerpts=[self._excerpt_row(placed, name) for placed in entry.excerpts],
                    )
                )
            rows.append(
                TurnRow(
                    anchor=mark_safe(f"turn-{unit.position}"),
                    heading=mark_safe(
                        self.turn_heading % {"number": number, "speaker": escape(unit.speaker)}
                    ),
                    words=escape(item.words),
                    differing=self._marked(item.differing_codes),
                    caption=mark_safe(self.turn_caption % {"number": number}),
                    coders=coders,
                )
            )
        return rows

    def agreed(self) -> list[AgreedRow]:
        rows = []
        for entry in self.review.agreed:
            excerpt = entry.excerpt
            span = {"start": excerpt.start, "end": excerpt.end}
            rows.append(
                AgreedRow(
                    quote=_quote(excerpt.quote),
                    place=mark_safe(self.characters % span),
                    codes=self._codes(entry.codes, self.no_code_muted),
                    recorded_by=escape(excerpt.coder or ""),
                    remove_url=_with_excerpt(self.remove_url, excerpt.uuid),
                    remove_label=mark_safe(self.remove_label % span),
                )
            )
        return rows


def _excerpt_address(name: str, transcript: Transcript) -> tuple[str, str]:
    """The escaped address of an action on one of the transcript's excerpts, reversed once: what
    goes before and after the excerpt's identifier (hexadecimal digits and dashes, safe as is)."""
    placeholder = str(UUID(int=0))
    url = escape(reverse(name, args=[transcript.uuid, placeholder]))
    before, after = url.rsplit(placeholder, 1)
    return before, after


def _with_excerpt(address: tuple[str, str], excerpt_uuid: str) -> str:
    before, after = address
    return mark_safe(f"{before}{excerpt_uuid}{after}")


def _quote(quote: str) -> str:
    """The quote as the `truncatechars` filter shows it, escaped. A short quote needs no cut: the
    truncator would only normalise it, and it costs a character-by-character walk."""
    quote = unicodedata.normalize("NFC", quote)
    if len(quote) <= QUOTE_SHOWN:
        return escape(quote)
    return escape(Truncator(quote).chars(QUOTE_SHOWN))


def agreement_context(request, transcript: Transcript, **extra) -> dict:
    context = {"transcript": transcript, **extra}
    context["compared"] = has_compared(transcript, request.user)
    if not context["compared"]:
        context["has_coded"] = transcript.independent_coding and has_coded(transcript, request.user)
        return context
    agreement = agreement_for_transcript(transcript)
    review = agreement_review(agreement)
    rows = ReviewRows(transcript, review)
    context.update(
        agreement=agreement,
        review=review,
        turns=rows.turns(),
        agreed=rows.agreed(),
        words=review_words(),
        # The hidden token field, written once for the hundreds of accept and remove forms.
        csrf_input=csrf_input(request),
    )
    return context


@evaluator_required
@require_GET
def agreement(request, transcript_uuid):
    transcript = _transcript(transcript_uuid)
    return render(request, TEMPLATE, agreement_context(request, transcript))


@evaluator_required
@require_POST
def agreement_compare(request, transcript_uuid):
    transcript = _transcript(transcript_uuid)
    try:
        comparison_start(transcript=transcript, coder=request.user)
    except Conflict as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("You now see every evaluator's coding of this transcript."))
    return redirect("evaluation:agreement", transcript_uuid=transcript.uuid)


def _work_response(request, transcript: Transcript, action):
    """Run the action on the agreed coding; answer with the updated section (htmx) or the page."""
    problem, done = "", ""
    try:
        done = action()
    except Conflict as refusal:
        problem = str(refusal)
    except ValidationError as error:
        problem = " ".join(error.messages)
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        else:
            messages.success(request, done)
        url = reverse("evaluation:agreement", kwargs={"transcript_uuid": transcript.uuid})
        return redirect(f"{url}#agreed-coding")
    # Every refusal answers 409: htmx swaps those in (see base.html) but not 400, and a refusal
    # here is about the state of the agreed coding as often as about the request.
    context = agreement_context(request, transcript, problem=problem, done=done, announce=True)
    return render(request, f"{TEMPLATE}#work", context, status=409 if problem else 200)


@evaluator_required
@require_POST
def agreement_accept(request, transcript_uuid, excerpt_uuid):
    transcript = _transcript(transcript_uuid)
    excerpt = _excerpt(transcript, excerpt_uuid)

    def accept():
        agreed = agreed_excerpt_accept(excerpt=excerpt, by=request.user)
        return _("Characters %(start)s to %(end)s added to the agreed coding.") % {
            "start": agreed.start,
            "end": agreed.end,
        }

    return _work_response(request, transcript, accept)


@evaluator_required
@require_POST
def agreement_accept_all(request, transcript_uuid):
    transcript = _transcript(transcript_uuid)

    def accept_all():
        added = agreed_units_accept_all(transcript=transcript, by=request.user)
        if not added:
            return _("Nothing new to accept: every code all evaluators agree on is agreed already.")
        return ngettext(
            "%(count)d excerpt added to the agreed coding.",
            "%(count)d excerpts added to the agreed coding.",
            len(added),
        ) % {"count": len(added)}

    return _work_response(request, transcript, accept_all)


@evaluator_required
@require_POST
def agreement_remove(request, transcript_uuid, excerpt_uuid):
    transcript = _transcript(transcript_uuid)
    excerpt = _excerpt(transcript, excerpt_uuid)

    def remove():
        agreed_excerpt_remove(excerpt=excerpt, by=request.user)
        return _("Characters %(start)s to %(end)s removed from the agreed coding.") % {
            "start": excerpt.start,
            "end": excerpt.end,
        }

    return _work_response(request, transcript, remove)
