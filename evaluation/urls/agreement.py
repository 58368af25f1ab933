"""Agreement between evaluators who coded a transcript independently, and its agreed coding."""

from django.urls import path

from evaluation.views import agreement

urlpatterns = [
    path(
        "transcripts/<uuid:transcript_uuid>/agreement/",
        agreement.agreement,
        name="agreement",
    ),
    path(
        "transcripts/<uuid:transcript_uuid>/agreement/compare/",
        agreement.agreement_compare,
        name="agreement_compare",
    ),
    path(
        "transcripts/<uuid:transcript_uuid>/agreement/accept-all/",
        agreement.agreement_accept_all,
        name="agreement_accept_all",
    ),
    path(
        "transcripts/<uuid:transcript_uuid>/agreement/excerpts/<uuid:excerpt_uuid>/accept/",
        agreement.agreement_accept,
        name="agreement_accept",
    ),
    path(
        "transcripts/<uuid:transcript_uuid>/agreement/excerpts/<uuid:excerpt_uuid>/remove/",
        agreement.agreement_remove,
        name="agreement_remove",
    ),
]
