from django.urls import path

from courses.views import catalogue, courses, grid, mapping, outcomes, rollover

app_name = "courses"

COURSE = "courses/<uuid:course_uuid>/"
OUTCOME = f"{COURSE}outcomes/<uuid:outcome_uuid>/"

urlpatterns = [
    path("institutions/", catalogue.institution_list, name="institution_list"),
    path("institutions/new/", catalogue.institution_create, name="institution_create"),
    path(
        "institutions/<int:institution_id>/edit/",
        catalogue.institution_edit,
        name="institution_edit",
    ),
    path(
        "institutions/<int:institution_id>/programmes/new/",
        catalogue.programme_create,
        name="programme_create",
    ),
    path("programmes/<int:programme_id>/edit/", catalogue.programme_edit, name="programme_edit"),
    path("courses/", courses.course_list, name="course_list"),
    path("courses/new/", courses.course_create, name="course_create"),
    path(COURSE, courses.course_detail, name="course_detail"),
    path(f"{COURSE}edit/", courses.course_edit, name="course_edit"),
    path(f"{COURSE}delete/", courses.course_delete, name="course_delete"),
    path(f"{COURSE}outcomes/", outcomes.outcome_add, name="outcome_add"),
    path(OUTCOME, outcomes.outcome_row, name="outcome_row"),
    path(f"{OUTCOME}edit/", outcomes.outcome_edit, name="outcome_edit"),
    path(f"{OUTCOME}delete/", outcomes.outcome_delete, name="outcome_delete"),
    path(f"{OUTCOME}move/<str:direction>/", outcomes.outcome_move, name="outcome_move"),
    path(f"{OUTCOME}map/", mapping.mapping_picker, name="mapping_picker"),
    path(f"{OUTCOME}map/<uuid:capability_uuid>/", mapping.mapping_change, name="mapping_change"),
    path(
        f"{OUTCOME}map/<uuid:capability_uuid>/remove/",
        mapping.mapping_remove,
        name="mapping_remove",
    ),
    path(f"{COURSE}grid/", grid.grid, name="grid"),
    path(f"{COURSE}grid/cell/", grid.grid_cell, name="grid_cell"),
    path(f"{COURSE}grid/mark/", grid.grid_mark, name="grid_mark"),
    path(f"{COURSE}grid/save/", grid.grid_save, name="grid_save"),
    path(f"{COURSE}rollover/", rollover.course_rollover, name="course_rollover"),
    path(f"{COURSE}remap/", rollover.course_remap, name="course_remap"),
    path(f"{COURSE}remap/<int:report_id>/", rollover.remap_report, name="remap_report"),
    path(
        f"{COURSE}remap/<int:report_id>/resolve/",
        rollover.remap_report_resolve,
        name="remap_report_resolve",
    ),
]
