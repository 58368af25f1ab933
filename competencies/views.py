from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from competencies import selectors
from competencies.forms import CapabilitySearchForm
from competencies.models import Capability, Framework
from competencies.permissions import can_view_framework

SEARCH_RESULTS_LIMIT = 50


def _check_can_view(request, framework: Framework) -> None:
    if not can_view_framework(request.user, framework):
        raise PermissionDenied(
            _("This framework is a draft, shown only to curriculum designers and administrators.")
        )


@require_GET
def framework_list(request):
    frameworks = selectors.frameworks_visible_to(request.user)
    return render(request, "competencies/framework_list.html", {"frameworks": frameworks})


@require_GET
def framework_detail(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    _check_can_view(request, framework)
    return render(
        request,
        "competencies/framework_detail.html",
        {"framework": framework, "tree": selectors.framework_tree(framework)},
    )


@require_GET
def capability_detail(request, capability_uuid):
    try:
        capability = selectors.capability_with_links(capability_uuid)
    except Capability.DoesNotExist:
        raise Http404(_("No capability has this identifier.")) from None
    _check_can_view(request, capability.framework)
    return render(request, "competencies/capability_detail.html", {"capability": capability})


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
