"""Focus groups (the evaluation home at /evaluation/), participants, consent and transcripts."""

from django.urls import path

from evaluation.views import sessions, transcripts

urlpatterns = [
    path("", sessions.focus_group_list, name="focus_group_list"),
    path("focus-groups/new/", sessions.focus_group_create, name="focus_group_create"),
    path(
        "focus-groups/<uuid:focus_group_uuid>/",
        sessions.focus_group_detail,
        name="focus_group_detail",
    ),
    path(
        "focus-groups/<uuid:focus_group_uuid>/edit/",
        sessions.focus_group_edit,
        name="focus_group_edit",
    ),
    path(
        "focus-groups/<uuid:focus_group_uuid>/delete/",
        sessions.focus_group_delete,
        name="focus_group_delete",
    ),
    path(
        "focus-groups/<uuid:focus_group_uuid>/transcripts/new/",
        transcripts.transcript_create,
        name="transcript_create",
    ),
    path("participants/", sessions.participant_list, name="participant_list"),
    path("participants/new/", sessions.participant_create, name="participant_create"),
    path(
        "participants/new-several/",
        sessions.participant_create_many,
        name="participant_create_many",
    ),
    path(
        "participants/<uuid:participant_uuid>/",
        sessions.participant_detail,
        name="participant_detail",
    ),
    path(
        "participants/<uuid:participant_uuid>/edit/",
        sessions.participant_edit,
        name="participant_edit",
    ),
    path(
        "participants/<uuid:participant_uuid>/consents/new/",
        sessions.consent_create,
        name="consent_create",
    ),
    path(
        "participants/<uuid:participant_uuid>/consents/withdraw/",
        sessions.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "participants/<uuid:participant_uuid>/identity/",
        sessions.participant_identity,
        name="participant_identity",
    ),
    path(
        "participants/<uuid:participant_uuid>/identity/remove/",
        sessions.participant_identity_remove,
        name="participant_identity_remove",
    ),
    path(
        "transcripts/<uuid:transcript_uuid>/",
        transcripts.transcript_detail,
        name="transcript_detail",
    ),
    path(
        "transcripts/<uuid:transcript_uuid>/revise/",
        transcripts.transcript_revise,
        name="transcript_revise",
    ),
    path(
        "transcripts/<uuid:transcript_uuid>/independent-coding/",
        transcripts.transcript_independent_coding,
        name="transcript_independent_coding",
    ),
]
