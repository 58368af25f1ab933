"""The coding page: a transcript's turns with its excerpts highlighted, and beside them the
excerpts, made, changed and deleted in place (htmx; plain posts work too)."""

import re
from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from competencies.forms import RevisionForm
from courses.views.common import add_service_errors
from eisen.errors import Conflict, StaleEdit
from evaluation.forms.coding import ExcerptForm
from evaluation.models import Excerpt, Transcript
from evaluation.selectors.coding import (
    ExcerptCard,
    Turn,
    code_choices,
    coding_page,
    excerpt_cards,
    excerpt_for_card,
    excerpt_form_choices,
    has_compared,
    mark_changeable,
    visible_excerpts,
)
from evaluation.services import coding as coding_services
from evaluation.templatetags.code_colours import colour_classes
from evaluation.views.common import evaluator_required

NEW_EXCERPT_PREFIX = "new"
EDIT_PREFIX = re.compile(r"^excerpt-[0-9a-f-]{36}$")
PAGE = "evaluation/coding/coding.html"


def _transcript_of(transcript_uuid) -> Transcript:
    return get_object_or_404(
        Transcript.objects.select_related("focus_group__course__framework"), uuid=transcript_uuid
    )


def _excerpt_of(request, excerpt_uuid) -> Excerpt:
    """The excerpt, if the blind rule lets the user see it at all (404 otherwise)."""
    excerpts = Excerpt.objects.select_related("transcript__focus_group__course__framework")
    return get_object_or_404(visible_excerpts(request.user, excerpts), uuid=excerpt_uuid)


def _coding_url(transcript: Transcript, excerpt: Excerpt | None = None) -> str:
    url = reverse("evaluation:coding", args=[transcript.uuid])
    return f"{url}#excerpt-{excerpt.uuid}" if excerpt else url


FORM_CHOICES = ("codebook", "mechanisms", "capabilities")


def _new_form(choices: dict, data=None, initial=None) -> ExcerptForm:
    """The new excerpt form; `choices` is excerpt_form_choices() or a page holding them."""
    return ExcerptForm(
        data,
        initial=initial,
        prefix=NEW_EXCERPT_PREFIX,
        **{key: choices[key] for key in FORM_CHOICES},
    )


def _edit_form(choices: dict, excerpt: Excerpt, data=None) -> ExcerptForm:
    return ExcerptForm(
        data,
        initial=ExcerptForm.initial_for(excerpt),
        prefix=f"excerpt-{excerpt.uuid}",
        excerpt=excerpt,
        **{key: choices[key] for key in FORM_CHOICES},
    )


def _offsets_asked_for(request) -> dict:
    """start and end from the query string: what "Code this turn" fills in without script."""
    asked = {}
    for key in ("start", "end"):
        value = request.GET.get(key, "")
        if value.isdecimal():
            asked[key] = int(value)
    return asked


def card_words() -> dict:
    """The excerpt cards' words, translated and escaped once per page rather than per card."""
    words = {
        "unknown_speaker": _("Facilitator or unknown speaker"),
        "exemplar": _("Exemplar"),
        "agreed": _("Agreed"),
        "codes": _("Codes"),
        "links": _("Mechanisms and capabilities"),
        "memo": _("Memo:"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "delete_question": _("Delete this excerpt and its codings?"),
        "characters": _("characters"),
        "coded_by": _("coded by"),
        "excerpt_at": _("the excerpt at characters"),
    }
    return {key: conditional_escape(text) for key, text in words.items()}


@dataclass(slots=True)
class CodeChip:
    """A code as a card shows it: colour and path, escaped."""

    colour: str
    path: str


def dress_cards(cards: list[ExcerptCard], words: dict) -> list[ExcerptCard]:
    """What the cards repeat, worked out and escaped here once per page rather than by the
    template once per card: each card's range in the cards' (escaped) `words`, its codes as
    CodeChips, and the edit and delete addresses of the cards the user may change."""
    placeholder = str(UUID(int=0))
    edit = escape(reverse("evaluation:excerpt_edit", args=[placeholder]))
    delete = escape(reverse("evaluation:excerpt_delete", args=[placeholder]))
    chips = {}
    for card in cards:
        # Safe: an identifier is hexadecimal digits and dashes, a range is digits, and the words
        # and addresses are escaped above.
        card.uuid = mark_safe(card.uuid)
        span = f"{card.start}\N{EN DASH}{card.end}"
        card.place = mark_safe(f"{words['characters']} {span}")
        card.action_place = mark_safe(f"{words['excerpt_at']} {span}")
        for index, code in enumerate(card.code_list):
            if code.pk not in chips:
                chips[code.pk] = CodeChip(escape(code.colour), escape(code.path))
            card.code_list[index] = chips[code.pk]
        if card.can_change:
            card.edit_url = mark_safe(edit.replace(placeholder, card.uuid))
            card.delete_url = mark_safe(delete.replace(placeholder, card.uuid))
    return cards


def _words_html(turn: Turn) -> str:
    """The turn's runs of words, each with the offset of its first character for the selection
    script; a coded run is marked in the colour of its innermost excerpt.

    Written here rather than in the template: a long transcript has thousands of runs, and a
    template loop over them costs about six times as much.
    """
    runs = []
    for segment in turn.segments:
        words = escape(segment.text)
        if segment.excerpts:
            overlap = " coded--overlap" if len(segment.excerpts) > 1 else ""
            runs.append(
                f'<mark class="coded{overlap} {colour_classes(segment.colour)}" '
                f'data-start="{segment.start}">{words}</mark>'
            )
        else:
            runs.append(f'<span data-start="{segment.start}">{words}</span>')
    # Safe: every text and attribute is escaped above.
    return mark_safe("".join(runs))


def with_words(turns: list[Turn]) -> list[Turn]:
    """Each turn's words as HTML and the name of its "Code this turn" link."""
    label = _("(turn %(number)s, %(speaker)s)")
    for number, turn in enumerate(turns, 1):
        turn.words_html = _words_html(turn)
        turn.code_label = label % {"number": number, "speaker": turn.speaker}
    return turns


def _listing(transcript: Transcript, user) -> dict:
    """The coding page's context: coding_page() with the turns' words and the cards dressed."""
    page = coding_page(transcript, user)
    with_words(page["turns"])
    page["card"] = card_words()
    dress_cards(page["excerpts"], page["card"])
    return page


def _page(request, transcript: Transcript, form=None, status=200):
    page = _listing(transcript, request.user)
    page["form"] = form or _new_form(page, initial=_offsets_asked_for(request))
    return render(request, PAGE, page, status=status)


def _saved(request, transcript, excerpt):
    done = _("The excerpt from %(start)s to %(end)s is saved.") % {
        "start": excerpt.start,
        "end": excerpt.end,
    }
    if not request.htmx:
        messages.success(request, done)
        return redirect(_coding_url(transcript, excerpt))
    return _workspace(request, transcript, done=done)


def _workspace(request, transcript: Transcript, *, problems=(), done=""):
    """The whole workspace again after a change: highlights, list and an empty form."""
    page = _listing(transcript, request.user)
    page.update(form=_new_form(page), problems=problems, done=done)
    response = render(request, f"{PAGE}#workspace", page)
    return reswap(retarget(response, "#coding-workspace"), "outerHTML")


@evaluator_required
@require_GET
def coding(request, transcript_uuid):
    return _page(request, _transcript_of(transcript_uuid))


def _refusal(form, error) -> None:
    if isinstance(error, ValidationError):
        add_service_errors(form, error)
    else:
        form.add_error(None, str(error))


@evaluator_required
@require_POST
def excerpt_create(request, transcript_uuid):
    transcript = _transcript_of(transcript_uuid)
    choices = excerpt_form_choices(transcript)
    form = _new_form(choices, request.POST)
    if form.is_valid():
        try:
            excerpt = coding_services.excerpt_create(
                transcript=transcript, coder=request.user, **form.service_arguments()
            )
        except (ValidationError, Conflict) as error:
            _refusal(form, error)
        else:
            return _saved(request, transcript, excerpt)
    if not request.htmx:
        return _page(request, transcript, form)
    response = render(
        request,
        f"{PAGE}#excerpt_form",
        {"transcript": transcript, "form": form, **choices},
    )
    return reswap(retarget(response, "#new-excerpt"), "outerHTML")


@evaluator_required
@require_GET
def excerpt_capability_row(request, transcript_uuid):
    """One more capability row for an excerpt form (htmx), and the button for the next."""
    transcript = _transcript_of(transcript_uuid)
    prefix = request.GET.get("form", NEW_EXCERPT_PREFIX)
    index = request.GET.get("index", "")
    if not (prefix == NEW_EXCERPT_PREFIX or EDIT_PREFIX.match(prefix)) or not index.isdecimal():
        raise Http404(_("Ask for a row of the new excerpt form or of an excerpt being edited."))
    form = ExcerptForm(prefix=prefix, **excerpt_form_choices(transcript))
    form.only_capability_row(int(index))
    return render(
        request,
        f"{PAGE}#capability_row_added",
        {"transcript": transcript, "form": form, "row": form.capability_rows[0]},
    )


def _card(request, excerpt: Excerpt):
    transcript = excerpt.transcript
    cards = excerpt_cards(Excerpt.objects.filter(pk=excerpt.pk), code_choices())
    compared = has_compared(transcript, request.user)
    words = card_words()
    dress_cards(mark_changeable(cards, transcript, request.user, compared), words)
    return render(
        request,
        f"{PAGE}#excerpt_card",
        {"excerpt": cards[0], "transcript": transcript, "card": words},
    )


@evaluator_required
@require_GET
def excerpt_card(request, excerpt_uuid):
    """One excerpt as the list shows it: where "Cancel" of an edit goes back to."""
    excerpt = _excerpt_of(request, excerpt_uuid)
    if not request.htmx:
        return redirect(_coding_url(excerpt.transcript, excerpt))
    return _card(request, excerpt)


def _edit_response(request, excerpt, form, choices, *, conflict=None):
    context = {
        "transcript": excerpt.transcript,
        "excerpt": excerpt,
        "edit_form": form,
        "conflict": conflict,
        **choices,
    }
    template = f"{PAGE}#excerpt_edit" if request.htmx else "evaluation/coding/excerpt_edit.html"
    return render(request, template, context, status=409 if conflict else 200)


@evaluator_required
@require_http_methods(["GET", "POST"])
def excerpt_edit(request, excerpt_uuid):
    excerpt = _excerpt_of(request, excerpt_uuid)
    transcript = excerpt.transcript
    choices = excerpt_form_choices(transcript)
    excerpt = excerpt_for_card(excerpt, choices["codebook"])
    if request.method == "GET":
        compared = has_compared(transcript, request.user)
        if not mark_changeable([excerpt], transcript, request.user, compared)[0].can_change:
            raise PermissionDenied(
                _(
                    "This excerpt cannot be changed: only its coder changes it on a transcript "
                    "coded independently, and only the current version of a transcript is coded."
                )
            )
        return _edit_response(request, excerpt, _edit_form(choices, excerpt), choices)
    form = _edit_form(choices, excerpt, request.POST)
    conflict = None
    if form.is_valid():
        arguments = form.service_arguments()
        try:
            excerpt = coding_services.excerpt_update(
                excerpt=excerpt,
                editor=request.user,
                expected_revision=form.cleaned_data["revision"],
                **arguments,
            )
        except StaleEdit as stale:
            # What this evaluator chose stays in the form; the other save is shown beside it.
            # Saving again (now against the current revision) is a deliberate overwrite.
            conflict = excerpt_for_card(stale.current, choices["codebook"])
            data = request.POST.copy()
            data[form.add_prefix("revision")] = conflict.revision
            form = _edit_form(choices, excerpt, data)
            form.is_valid()
        except (ValidationError, Conflict) as error:
            _refusal(form, error)
        else:
            return _saved(request, transcript, excerpt)
    return _edit_response(request, excerpt, form, choices, conflict=conflict)


@evaluator_required
@require_POST
def excerpt_delete(request, excerpt_uuid):
    excerpt = _excerpt_of(request, excerpt_uuid)
    transcript = excerpt.transcript
    form = RevisionForm(request.POST)
    problems, done = [], ""
    try:
        coding_services.excerpt_delete(
            excerpt=excerpt,
            editor=request.user,
            expected_revision=form.cleaned_data["revision"] if form.is_valid() else None,
        )
    except StaleEdit:
        problems.append(
            _(
                "Someone else changed the excerpt from %(start)s to %(end)s while you were "
                "looking at it; it was not deleted. Check it and delete it again."
            )
            % {"start": excerpt.start, "end": excerpt.end}
        )
    except Conflict as refusal:
        problems.append(str(refusal))
    else:
        done = _("The excerpt from %(start)s to %(end)s is deleted.") % {
            "start": excerpt.start,
            "end": excerpt.end,
        }
    if not request.htmx:
        for problem in problems:
            messages.error(request, problem)
        if done:
            messages.success(request, done)
        return redirect(_coding_url(transcript))
    return _workspace(request, transcript, problems=problems, done=done)
