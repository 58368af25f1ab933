from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from competencies import history, selectors
from competencies.comparison import framework_compare as framework_compare_versions
from competencies.forms import CapabilitySearchForm, CommentForm, CompareForm
from competencies.interchange.formats import EXPORT_KINDS
from competencies.models import Capability, Comment, Framework
from competencies.permissions import (
    can_comment,
    can_edit_framework,
    can_manage_frameworks,
    can_resolve_comments,
    can_view_framework,
)
from competencies.services import comments

SEARCH_RESULTS_LIMIT = 50


def check_can_view(request, framework: Framework) -> None:
    if not can_view_framework(request.user, framework):
        raise PermissionDenied(
            _("This framework is a draft, shown only to curriculum designers and administrators.")
        )


@require_GET
def framework_list(request):
    frameworks = selectors.frameworks_visible_to(request.user)
    return render(
        request,
        "competencies/framework_list.html",
        {"frameworks": frameworks, "can_manage": can_manage_frameworks(request.user)},
    )


@require_GET
def framework_detail(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    check_can_view(request, framework)
    return render(
        request,
        "competencies/framework_detail.html",
        {
            "framework": framework,
            "tree": selectors.framework_tree(framework),
            "can_manage": can_manage_frameworks(request.user),
            "open_comments": selectors.open_comment_count(framework),
            "export_kinds": EXPORT_KINDS,
        },
    )


@require_GET
def capability_detail(request, capability_uuid):
    try:
        capability = selectors.capability_with_links(capability_uuid)
    except Capability.DoesNotExist:
        raise Http404(_("No capability has this identifier.")) from None
    check_can_view(request, capability.framework)
    return render(
        request,
        "competencies/capability_detail.html",
        {
            "capability": capability,
            "comments": selectors.capability_comments(capability),
            "comment_form": CommentForm(),
            "can_comment": can_comment(request.user, capability.framework),
            "can_resolve": can_resolve_comments(request.user),
            "can_edit": can_edit_framework(request.user, capability.framework),
        },
    )


@require_GET
def capability_search(request):
    form = CapabilitySearchForm(
        request.GET or None, frameworks=selectors.frameworks_visible_to(request.user)
    )
    results = []
    if form.is_valid() and form.cleaned_data["q"]:
        capabilities = selectors.capabilities_visible_to(request.user)
        if form.cleaned_data["framework"]:
            capabilities = capabilities.filter(framework=form.cleaned_data["framework"])
        results = list(
            selectors.capabilities_matching(capabilities, form.cleaned_data["q"])
            .select_related("framework", "domain")
            .order_by(
                "framework__title", "framework__version_label", "domain__position", "position"
            )[: SEARCH_RESULTS_LIMIT + 1]
        )
    context = {
        "form": form,
        "results": results[:SEARCH_RESULTS_LIMIT],
        "more_results": len(results) > SEARCH_RESULTS_LIMIT,
    }
    template = "competencies/capability_search.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


def _visible_framework(request, framework_uuid) -> Framework:
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    check_can_view(request, framework)
    return framework


@require_GET
def framework_compare(request, framework_uuid):
    """Compare two versions of a framework: this one (or the one picked) against another."""
    framework = _visible_framework(request, framework_uuid)
    versions = list(selectors.frameworks_visible_to(request.user).filter(slug=framework.slug))
    form = CompareForm(request.GET or None, versions=versions)
    comparison = None
    if form.is_valid():
        comparison = framework_compare_versions(form.cleaned_data["old"], form.cleaned_data["new"])
    elif not request.GET:
        older = framework.previous_version
        if older is not None and can_view_framework(request.user, older):
            form = CompareForm(
                initial={"old": older.uuid, "new": framework.uuid}, versions=versions
            )
            comparison = framework_compare_versions(older, framework)
    return render(
        request,
        "competencies/compare.html",
        {"framework": framework, "form": form, "comparison": comparison},
    )


@login_required
@require_GET
def framework_history(request, framework_uuid):
    framework = _visible_framework(request, framework_uuid)
    return render(
        request,
        "competencies/history.html",
        {"framework": framework, "entries": history.framework_history(framework)},
    )


@login_required
@require_GET
def capability_history(request, capability_uuid):
    capability = get_object_or_404(
        Capability.objects.select_related("framework"), uuid=capability_uuid
    )
    check_can_view(request, capability.framework)
    return render(
        request,
        "competencies/capability_history.html",
        {
            "capability": capability,
            "entries": history.capability_history(capability),
            "can_restore": can_edit_framework(request.user, capability.framework),
        },
    )


@login_required
@require_POST
def comment_add(request, capability_uuid):
    capability = get_object_or_404(
        Capability.objects.select_related("framework"), uuid=capability_uuid
    )
    if not can_comment(request.user, capability.framework):
        raise PermissionDenied(_("You cannot comment on this framework."))
    form = CommentForm(request.POST)
    if form.is_valid():
        comments.comment_add(
            capability=capability, author=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write something before sending the comment."))
    return redirect(f"{capability.get_absolute_url()}#comments")


@login_required
@require_POST
def comment_resolve(request, comment_id):
    comment = get_object_or_404(
        Comment.objects.select_related("capability__framework"), pk=comment_id
    )
    if not can_resolve_comments(request.user):
        raise PermissionDenied(_("Only curriculum designers and administrators resolve comments."))
    try:
        comments.comment_resolve(comment=comment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{comment.capability.get_absolute_url()}#comments")


@login_required
@require_GET
def framework_comments_csv(request, framework_uuid):
    framework = _visible_framework(request, framework_uuid)
    response = HttpResponse(
        comments.comments_csv(framework), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{framework.slug}-{framework.version_label}-comments.csv"'
    )
    return response
