from django.urls import path

from eisen import export_views

app_name = "exports"

urlpatterns = [
    path("", export_views.export_list, name="export_list"),
    path("new/<slug:kind_name>/", export_views.export_new, name="export_new"),
    path("<uuid:job_uuid>/", export_views.export_detail, name="export_detail"),
    path("<uuid:job_uuid>/download/", export_views.export_download, name="export_download"),
    path("<uuid:job_uuid>/delete/", export_views.export_delete, name="export_delete"),
]
