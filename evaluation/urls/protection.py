"""Data protection pages: erasing a participant, their data as JSON, and the erasure log."""

from django.urls import path

from evaluation.views import protection

urlpatterns = [
    path(
        "participants/<uuid:participant_uuid>/erase/",
        protection.participant_erase,
        name="participant_erase",
    ),
    path(
        "participants/<uuid:participant_uuid>/export/",
        protection.participant_export,
        name="participant_export",
    ),
    path("erasures/", protection.erasure_log, name="erasure_log"),
]
