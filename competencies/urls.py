from django.urls import path

from competencies import downloads, views
from competencies.editor import capabilities as capability_editor
from competencies.editor import frameworks as framework_editor
from competencies.editor import interchange as interchange_editor

app_name = "competencies"

urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/new/", framework_editor.framework_create, name="framework_create"),
    path("frameworks/<uuid:framework_uuid>/", views.framework_detail, name="framework_detail"),
    path(
        "frameworks/<uuid:framework_uuid>/edit/",
        framework_editor.framework_editor,
        name="framework_editor",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/metadata/",
        framework_editor.framework_metadata,
        name="framework_metadata",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/publish/",
        framework_editor.framework_publish,
        name="framework_publish",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/archive/",
        framework_editor.framework_archive,
        name="framework_archive",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/new-version/",
        framework_editor.framework_new_version,
        name="framework_new_version",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/renumber/",
        framework_editor.framework_renumber,
        name="framework_renumber",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/domains/", capability_editor.domain_add, name="domain_add"
    ),
    path(
        "frameworks/<uuid:framework_uuid>/themes-and-references/",
        framework_editor.framework_vocabulary,
        name="framework_vocabulary",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/compare/",
        views.framework_compare,
        name="framework_compare",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/history/",
        views.framework_history,
        name="framework_history",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/download/<str:kind>/",
        downloads.framework_download,
        name="framework_download",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/update-from-file/",
        interchange_editor.framework_update_upload,
        name="framework_update_upload",
    ),
    path("frameworks/import/", interchange_editor.framework_import, name="framework_import"),
    path(
        "frameworks/imports/<uuid:import_uuid>/",
        interchange_editor.framework_import_report,
        name="framework_import_report",
    ),
    path(
        "frameworks/imports/<uuid:import_uuid>/apply/",
        interchange_editor.framework_update_apply,
        name="framework_update_apply",
    ),
    path(
        "frameworks/workbook-template.xlsx",
        downloads.workbook_template,
        name="workbook_template",
    ),
    path(
        "frameworks/<uuid:framework_uuid>/comments.csv",
        views.framework_comments_csv,
        name="framework_comments_csv",
    ),
    path(
        "domains/<uuid:domain_uuid>/capabilities/",
        capability_editor.capability_add,
        name="capability_add",
    ),
    path("domains/<uuid:domain_uuid>/edit/", capability_editor.domain_edit, name="domain_edit"),
    path(
        "domains/<uuid:domain_uuid>/<str:operation>/",
        capability_editor.domain_change,
        name="domain_change",
    ),
    path("capabilities/", views.capability_search, name="capability_search"),
    path("capabilities/<uuid:capability_uuid>/", views.capability_detail, name="capability_detail"),
    path(
        "capabilities/<uuid:capability_uuid>/edit/",
        capability_editor.capability_edit,
        name="capability_edit",
    ),
    path(
        "capabilities/<uuid:capability_uuid>/history/",
        views.capability_history,
        name="capability_history",
    ),
    path(
        "capabilities/<uuid:capability_uuid>/restore/",
        capability_editor.capability_restore,
        name="capability_restore",
    ),
    path(
        "capabilities/<uuid:capability_uuid>/comments/",
        views.comment_add,
        name="comment_add",
    ),
    path("comments/<int:comment_id>/resolve/", views.comment_resolve, name="comment_resolve"),
    path(
        "capabilities/<uuid:capability_uuid>/links/",
        capability_editor.capability_links,
        name="capability_links",
    ),
    path(
        "capabilities/<uuid:capability_uuid>/<str:operation>/",
        capability_editor.capability_change,
        name="capability_change",
    ),
    path(
        "links/<uuid:association_uuid>/delete/",
        capability_editor.association_delete,
        name="association_delete",
    ),
]
