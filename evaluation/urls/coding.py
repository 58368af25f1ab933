"""The codebook (/evaluation/codebook/…) and coding a transcript (…/transcripts/<id>/code/)."""

from django.urls import path

from evaluation.views import codebook, coding

urlpatterns = [
    path("codebook/", codebook.codebook, name="codebook"),
    path("codebook/new/", codebook.code_new, name="code_new"),
    path("codebook/<uuid:code_uuid>/edit/", codebook.code_edit, name="code_edit"),
    path("codebook/<uuid:code_uuid>/move/", codebook.code_move, name="code_move"),
    path("codebook/<uuid:code_uuid>/delete/", codebook.code_delete, name="code_delete"),
    path("transcripts/<uuid:transcript_uuid>/code/", coding.coding, name="coding"),
    path(
        "transcripts/<uuid:transcript_uuid>/code/excerpts/",
        coding.excerpt_create,
        name="excerpt_create",
    ),
    path(
        "transcripts/<uuid:transcript_uuid>/code/capability-row/",
        coding.excerpt_capability_row,
        name="excerpt_capability_row",
    ),
    path("excerpts/<uuid:excerpt_uuid>/", coding.excerpt_card, name="excerpt_card"),
    path("excerpts/<uuid:excerpt_uuid>/edit/", coding.excerpt_edit, name="excerpt_edit"),
    path("excerpts/<uuid:excerpt_uuid>/delete/", coding.excerpt_delete, name="excerpt_delete"),
]
