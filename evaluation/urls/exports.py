from django.urls import path

from evaluation.views import exports

urlpatterns = [
    path("exports/", exports.exports_page, name="exports"),
    path(
        "exports/quote-bank.<slug:file_format>",
        exports.quote_bank_download,
        name="export_quote_bank",
    ),
    path("exports/codebook.qdc", exports.codebook_download, name="export_codebook"),
    path("exports/project.qdpx", exports.project_download, name="export_project"),
]
