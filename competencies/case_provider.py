"""The CASE 1.0 provider API (read-only, published frameworks) at /ims/case/v1p0/."""

import json
import uuid

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from competencies.interchange.case_export import (
    CASE_VERSIONS,
    CaseUris,
    case_document,
    case_node_index,
    framework_case_package,
)
from competencies.models import Capability, CapabilityAssociation, Domain, Framework
from competencies.views import check_can_view

READABLE = [Framework.Status.PUBLISHED, Framework.Status.ARCHIVED]


def _uris(request) -> CaseUris:
    documents_url = request.build_absolute_uri(reverse("case:documents"))
    return CaseUris(documents_url.removesuffix("/CFDocuments"))


def _status_info(status: int, minor: str, description: str) -> JsonResponse:
    """CASE's error shape: imsx_StatusInfo with a code minor naming what was wrong."""
    return JsonResponse(
        {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": description,
            "imsx_CodeMinor": {
                "imsx_codeMinorField": [
                    {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": minor}
                ]
            },
        },
        status=status,
    )


def _case_view(view):
    """Parse the identifier; unknown or malformed ones answer in CASE's error shape."""

    @require_GET
    def checked(request, identifier):
        try:
            parsed = uuid.UUID(identifier)
        except ValueError:
            return _status_info(400, "invalid_uuid", f"{identifier} is not a UUID.")
        found = view(request, parsed)
        if found is None:
            return _status_info(
                404, "unknownobject", f"Nothing published has the identifier {parsed}."
            )
        return found

    return checked


def _published(framework_uuid) -> Framework | None:
    return Framework.objects.filter(uuid=framework_uuid, status__in=READABLE).first()


@require_GET
def documents(request):
    uris = _uris(request)
    frameworks = Framework.objects.filter(status__in=READABLE).order_by("title", "version_label")
    return JsonResponse(
        {"CFDocuments": [case_document(framework, uris) for framework in frameworks]}
    )


@_case_view
def document(request, identifier):
    framework = _published(identifier)
    return JsonResponse(case_document(framework, _uris(request))) if framework else None


@_case_view
def package(request, identifier):
    framework = _published(identifier)
    if framework is None:
        return None
    return JsonResponse(framework_case_package(framework, case_version="1.0", uris=_uris(request)))


def _framework_of_item(identifier) -> Framework | None:
    for model in (Capability, Domain):
        row = model.objects.filter(uuid=identifier, framework__status__in=READABLE).first()
        if row is not None:
            return row.framework
    return None


@_case_view
def item(request, identifier):
    framework = _framework_of_item(identifier)
    if framework is None:
        return None
    _kind, node = case_node_index(framework, _uris(request))[str(identifier)]
    return JsonResponse(node)


def _find_association(identifier, uris):
    link = CapabilityAssociation.objects.filter(
        uuid=identifier, origin__framework__status__in=READABLE
    ).first()
    frameworks = [link.origin.framework] if link else Framework.objects.filter(status__in=READABLE)
    # Tree and lineage associations have derived identifiers, found by building the packages.
    for framework in frameworks:
        kind, node = case_node_index(framework, uris).get(str(identifier), (None, None))
        if kind == "association":
            return node
    return None


@_case_view
def association(request, identifier):
    node = _find_association(identifier, _uris(request))
    return JsonResponse(node) if node else None


@_case_view
def item_associations(request, identifier):
    framework = _framework_of_item(identifier)
    if framework is None:
        return None
    index = case_node_index(framework, _uris(request))
    key = str(identifier)
    return JsonResponse(
        {
            "CFItem": index[key][1],
            "CFAssociations": [
                node
                for kind, node in index.values()
                if kind == "association"
                and key
                in (node["originNodeURI"]["identifier"], node["destinationNodeURI"]["identifier"])
            ],
        }
    )


@require_GET
def framework_case_download(request, framework_uuid):
    """A framework (any status the user may read) as a CASE 1.0 or 1.1 JSON file."""
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    check_can_view(request, framework)
    case_version = request.GET.get("version", "1.0")
    if case_version not in CASE_VERSIONS:
        return HttpResponse(
            f"CASE version must be one of {', '.join(CASE_VERSIONS)}.",
            status=400,
            content_type="text/plain",
        )
    package_data = framework_case_package(framework, case_version=case_version, uris=_uris(request))
    response = HttpResponse(
        json.dumps(package_data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    filename = f"{framework.slug}-{framework.version_label}-case-{case_version}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
