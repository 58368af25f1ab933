"""Evaluation pages under /evaluation/, one module of routes per part of the work."""

from django.urls import include, path

app_name = "evaluation"

urlpatterns = [
    path("", include("evaluation.urls.sessions")),
    path("", include("evaluation.urls.logic")),
    path("", include("evaluation.urls.coding")),
    path("", include("evaluation.urls.agreement")),
    path("", include("evaluation.urls.reports")),
    path("", include("evaluation.urls.exports")),
    path("", include("evaluation.urls.protection")),
]
