"""Focus groups (the evaluation home), their participants, consent records and identity key."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competencies.forms import RevisionForm
from courses.models import Course
from courses.views.common import add_service_errors
from eisen.errors import Conflict, StaleEdit
from evaluation import identity
from evaluation.forms.sessions import (
    ConsentForm,
    FocusGroupEditForm,
    FocusGroupFilterForm,
    FocusGroupForm,
    IdentityForm,
    ParticipantEditForm,
    ParticipantFilterForm,
    ParticipantForm,
    ParticipantsForm,
    WithdrawalForm,
)
from evaluation.models import FocusGroup, Participant, ParticipantIdentity
from evaluation.permissions import can_see_identities
from evaluation.selectors.sessions import (
    focus_group_page,
    focus_groups_for_list,
    identity_shown,
    participant_page,
    participants_for_list,
    with_consent_in_force,
)
from evaluation.services import sessions
from evaluation.views.common import evaluator_required

FOCUS_GROUPS_PER_PAGE = 50
PARTICIPANTS_PER_PAGE = 100
IDENTITIES_HIDDEN = gettext_lazy(
    "Real identities are shown only to evaluators with the permission to see the identity key."
)


def focus_group_url(focus_group: FocusGroup) -> str:
    return reverse("evaluation:focus_group_detail", args=[focus_group.uuid])


def participant_url(participant: Participant) -> str:
    return reverse("evaluation:participant_detail", args=[participant.uuid])


def posted(request):
    """A POST's form data, even when it sends nothing (all boxes unticked); None otherwise."""
    return request.POST if request.method == "POST" else None


def found_by_uuid(queryset, value):
    """The row whose uuid is the query parameter's value; None when absent or malformed."""
    try:
        return queryset.filter(uuid=UUID(value)).first() if value else None
    except ValueError:
        return None


def _list_page(request, template: str, context: dict):
    """The whole page, or only its results when the filter form asks through htmx."""
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@evaluator_required
@require_GET
def focus_group_list(request):
    form = FocusGroupFilterForm(request.GET or None)
    focus_groups = focus_groups_for_list(**form.filters())
    page = Paginator(focus_groups, FOCUS_GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    return _list_page(
        request, "evaluation/sessions/focus_group_list.html", {"form": form, "page": page}
    )


@evaluator_required
@require_GET
def focus_group_detail(request, focus_group_uuid):
    return render(
        request,
        "evaluation/sessions/focus_group_detail.html",
        {"page": focus_group_page(focus_group_uuid)},
    )


@evaluator_required
@require_http_methods(["GET", "POST"])
def focus_group_create(request):
    course = found_by_uuid(Course.objects, request.GET.get("course"))
    form = FocusGroupForm(posted(request), initial={"course": course})
    if request.method == "POST" and form.is_valid():
        try:
            focus_group = sessions.focus_group_create(
                created_by=request.user, **form.service_arguments()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” created.") % {"title": focus_group.title})
            return redirect(focus_group_url(focus_group))
    return render(
        request, "evaluation/sessions/focus_group_form.html", {"form": form, "focus_group": None}
    )


def _focus_group(focus_group_uuid) -> FocusGroup:
    return get_object_or_404(FocusGroup.objects.select_related("course"), uuid=focus_group_uuid)


@evaluator_required
@require_http_methods(["GET", "POST"])
def focus_group_edit(request, focus_group_uuid):
    focus_group = _focus_group(focus_group_uuid)
    form = FocusGroupEditForm(posted(request), initial=FocusGroupEditForm.initial_for(focus_group))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            focus_group = sessions.focus_group_update(
                focus_group=focus_group,
                expected_revision=form.cleaned_data["revision"],
                **form.service_arguments(),
            )
        except StaleEdit as stale:
            # What this person typed stays; saving again is a deliberate overwrite.
            conflict = stale.current
            data = request.POST.copy()
            data["revision"] = stale.current.revision
            form = FocusGroupEditForm(data)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” saved.") % {"title": focus_group.title})
            return redirect(focus_group_url(focus_group))
    return render(
        request,
        "evaluation/sessions/focus_group_form.html",
        {"form": form, "focus_group": focus_group, "conflict": conflict},
        status=409 if conflict else 200,
    )


@evaluator_required
@require_http_methods(["GET", "POST"])
def focus_group_delete(request, focus_group_uuid):
    focus_group = _focus_group(focus_group_uuid)
    form = RevisionForm(posted(request), initial={"revision": focus_group.revision})
    refusal, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            sessions.focus_group_delete(
                focus_group=focus_group, expected_revision=form.cleaned_data["revision"]
            )
        except StaleEdit as stale:
            focus_group = stale.current
            form = RevisionForm(initial={"revision": focus_group.revision})
            refusal, status = str(stale), 409
        except Conflict as conflict:
            refusal, status = str(conflict), 409
        else:
            messages.success(request, _("“%(title)s” deleted.") % {"title": focus_group.title})
            return redirect("evaluation:focus_group_list")
    return render(
        request,
        "evaluation/sessions/focus_group_confirm_delete.html",
        {"focus_group": focus_group, "form": form, "refusal": refusal},
        status=status,
    )


@evaluator_required
@require_GET
def participant_list(request):
    form = ParticipantFilterForm(request.GET or None)
    course = form.cleaned_data["course"] if form.is_bound and form.is_valid() else None
    page = Paginator(participants_for_list(course=course), PARTICIPANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = with_consent_in_force(page.object_list)
    return _list_page(
        request,
        "evaluation/sessions/participant_list.html",
        {"form": form, "page": page, "course": course},
    )


def _starting_point(request) -> tuple[Course | None, FocusGroup | None]:
    """The course (and focus group) a new participant is added from, given in the query."""
    focus_group = found_by_uuid(
        FocusGroup.objects.select_related("course"), request.GET.get("focus_group")
    )
    if focus_group is not None:
        return focus_group.course, focus_group
    return found_by_uuid(Course.objects, request.GET.get("course")), None


@evaluator_required
@require_http_methods(["GET", "POST"])
def participant_create(request):
    course, focus_group = _starting_point(request)
    initial = {"course": course, "focus_groups": [focus_group] if focus_group else []}
    form = ParticipantForm(posted(request), course=course, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            participant = sessions.participant_create(**fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(pseudonym)s added.") % {"pseudonym": participant})
            return redirect(
                focus_group_url(focus_group) if focus_group else participant_url(participant)
            )
    return render(
        request,
        "evaluation/sessions/participant_form.html",
        {"form": form, "participant": None, "focus_group": focus_group, "several": False},
    )


@evaluator_required
@require_http_methods(["GET", "POST"])
def participant_create_many(request):
    course, focus_group = _starting_point(request)
    initial = {"course": course, "focus_groups": [focus_group] if focus_group else []}
    form = ParticipantsForm(posted(request), course=course, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            added = sessions.participants_create_many(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Added %(pseudonyms)s.") % {"pseudonyms": ", ".join(map(str, added))},
            )
            if focus_group:
                return redirect(focus_group_url(focus_group))
            return redirect(
                reverse("evaluation:participant_list")
                + f"?course={form.cleaned_data['course'].uuid}"
            )
    return render(
        request,
        "evaluation/sessions/participant_form.html",
        {"form": form, "participant": None, "focus_group": focus_group, "several": True},
    )


@evaluator_required
@require_GET
def participant_detail(request, participant_uuid):
    page = participant_page(participant_uuid)
    shows_identity = can_see_identities(request.user)
    shown = None
    if shows_identity:
        shown = identity_shown(
            ParticipantIdentity.objects.filter(participant=page.participant).first()
        )
    return render(
        request,
        "evaluation/sessions/participant_detail.html",
        {"page": page, "shows_identity": shows_identity, "identity": shown},
    )


@evaluator_required
@require_http_methods(["GET", "POST"])
def participant_edit(request, participant_uuid):
    participant = get_object_or_404(
        Participant.objects.select_related("course"), uuid=participant_uuid
    )
    form = ParticipantEditForm(
        posted(request),
        course=participant.course,
        initial=ParticipantEditForm.initial_for(participant),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        try:
            participant = sessions.participant_update(
                participant=participant, expected_revision=changes.pop("revision"), **changes
            )
        except StaleEdit as stale:
            conflict = stale.current
            data = request.POST.copy()
            data["revision"] = stale.current.revision
            form = ParticipantEditForm(data, course=participant.course)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(pseudonym)s saved.") % {"pseudonym": participant})
            return redirect(participant_url(participant))
    return render(
        request,
        "evaluation/sessions/participant_form.html",
        {"form": form, "participant": participant, "conflict": conflict, "several": False},
        status=409 if conflict else 200,
    )


def _participant(participant_uuid) -> Participant:
    return get_object_or_404(Participant.objects.select_related("course"), uuid=participant_uuid)


@evaluator_required
@require_http_methods(["GET", "POST"])
def consent_create(request, participant_uuid):
    participant = _participant(participant_uuid)
    form = ConsentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            sessions.consent_record(
                participant=participant, recorded_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Consent of %(pseudonym)s recorded.") % {"pseudonym": participant}
            )
            return redirect(participant_url(participant))
    return render(
        request,
        "evaluation/sessions/consent_form.html",
        {"form": form, "participant": participant, "consent": None},
    )


@evaluator_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, participant_uuid):
    participant = _participant(participant_uuid)
    consent = sessions.consent_in_force(participant)
    if consent is None:
        messages.error(
            request,
            _("%(pseudonym)s has no consent recorded, so there is nothing to withdraw.")
            % {"pseudonym": participant},
        )
        return redirect(participant_url(participant))
    form = WithdrawalForm(posted(request), consent=consent)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            sessions.consent_withdraw(
                consent=consent,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                scopes=form.cleaned_data["withdrawn_scopes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
            status = 409
        else:
            messages.success(
                request, _("Withdrawal by %(pseudonym)s recorded.") % {"pseudonym": participant}
            )
            return redirect(participant_url(participant))
    return render(
        request,
        "evaluation/sessions/consent_form.html",
        {"form": form, "participant": participant, "consent": consent},
        status=status,
    )


def _identity_keeper(request, participant_uuid) -> Participant:
    if not can_see_identities(request.user):
        raise PermissionDenied(IDENTITIES_HIDDEN)
    return _participant(participant_uuid)


@evaluator_required
@require_http_methods(["GET", "POST"])
def participant_identity(request, participant_uuid):
    participant = _identity_keeper(request, participant_uuid)
    record = ParticipantIdentity.objects.filter(participant=participant).first()
    shown = identity_shown(record)
    initial = {"name": shown.name, "email": shown.email} if shown else {}
    form = IdentityForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sessions.identity_set(participant=participant, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Identity of %(pseudonym)s saved.") % {"pseudonym": participant}
            )
            return redirect(participant_url(participant))
    return render(
        request,
        "evaluation/sessions/identity_form.html",
        {
            "form": form,
            "participant": participant,
            "identity": shown,
            "key_configured": identity.identity_key_configured(),
        },
    )


@evaluator_required
@require_POST
def participant_identity_remove(request, participant_uuid):
    participant = _identity_keeper(request, participant_uuid)
    sessions.identity_remove(participant=participant)
    messages.success(
        request,
        _("The identity of %(pseudonym)s is removed from the identity key.")
        % {"pseudonym": participant},
    )
    return redirect(participant_url(participant))
