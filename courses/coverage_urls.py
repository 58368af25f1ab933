from django.urls import path

from courses import coverage_views, downloads

app_name = "coverage"

urlpatterns = [
    path("", coverage_views.coverage_page, name="coverage"),
    path(
        "download/<slug:table>.<slug:file_format>",
        downloads.coverage_download,
        name="download",
    ),
]
