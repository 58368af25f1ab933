"""The CASE 1.0 provider API (read-only, published frameworks) at /ims/case/v1p0/."""

import uuid

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from competencies.interchange.case_export import (
    CaseUris,
    case_document,
    case_node_index,
    framework_case_package,
)
from competencies.models import Capability, CapabilityAssociation, Domain, Framework

READABLE = [Framework.Status.PUBLISHED, Framework.Status.ARCHIVED]


def case_uris(request) -> CaseUris:
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
    uris = case_uris(request)
    frameworks = Framework.objects.filter(status__in=READABLE).order_by("title", "version_label")
    return JsonResponse(
        {"CFDocuments": [case_document(framework, uris) for framework in frameworks]}
    )


@_case_view
def document(request, identifier):
    framework = _published(identifier)
    return JsonResponse(case_document(framework, case_uris(request))) if framework else None


@_case_view
def package(request, identifier):
    framework = _published(identifier)
    if framework is None:
        return None
    return JsonResponse(
        framework_case_package(framework, case_version="1.0", uris=case_uris(request))
    )


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
    _kind, node = case_node_index(framework, case_uris(request))[str(identifier)]
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
    node = _find_association(identifier, case_uris(request))
    return JsonResponse(node) if node else None


@_case_view
def item_associations(request, identifier):
    framework = _framework_of_item(identifier)
    if framework is None:
        return None
    index = case_node_index(framework, case_uris(request))
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
