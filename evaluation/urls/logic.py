"""Logic models, mechanisms with their assessments, and the formative action log."""

from django.urls import path

from evaluation.views import actions, logic

urlpatterns = [
    path("logic-models/", logic.logic_model_list, name="logic_model_list"),
    path("logic-models/<uuid:model_uuid>/", logic.logic_model_detail, name="logic_model_detail"),
    path(
        "logic-models/<uuid:model_uuid>/header/",
        logic.logic_model_header,
        name="logic_model_header",
    ),
    path("logic-models/<uuid:model_uuid>/edit/", logic.logic_model_edit, name="logic_model_edit"),
    path(
        "logic-models/<uuid:model_uuid>/columns/<str:component>/add/",
        logic.logic_item_add,
        name="logic_item_add",
    ),
    path(
        "logic-models/<uuid:model_uuid>/items/<int:item_id>/",
        logic.logic_item_row,
        name="logic_item_row",
    ),
    path(
        "logic-models/<uuid:model_uuid>/items/<int:item_id>/edit/",
        logic.logic_item_edit,
        name="logic_item_edit",
    ),
    path(
        "logic-models/<uuid:model_uuid>/items/<int:item_id>/delete/",
        logic.logic_item_delete,
        name="logic_item_delete",
    ),
    path(
        "logic-models/<uuid:model_uuid>/items/<int:item_id>/move/<str:direction>/",
        logic.logic_item_move,
        name="logic_item_move",
    ),
    path(
        "logic-models/<uuid:model_uuid>/mechanisms/add/",
        logic.mechanism_add,
        name="mechanism_add",
    ),
    path("mechanisms/<uuid:mechanism_uuid>/", actions.mechanism_detail, name="mechanism_detail"),
    path("mechanisms/<uuid:mechanism_uuid>/card/", logic.mechanism_card, name="mechanism_card"),
    path("mechanisms/<uuid:mechanism_uuid>/edit/", logic.mechanism_edit, name="mechanism_edit"),
    path(
        "mechanisms/<uuid:mechanism_uuid>/delete/",
        logic.mechanism_delete,
        name="mechanism_delete",
    ),
    path(
        "mechanisms/<uuid:mechanism_uuid>/move/<str:direction>/",
        logic.mechanism_move,
        name="mechanism_move",
    ),
    path(
        "mechanisms/<uuid:mechanism_uuid>/assessments/<str:phase>/",
        actions.assessment_card,
        name="assessment_card",
    ),
    path(
        "mechanisms/<uuid:mechanism_uuid>/assessments/<str:phase>/edit/",
        actions.mechanism_assess,
        name="mechanism_assess",
    ),
    path("actions/", actions.action_log, name="action_log"),
    path("actions/new/", actions.action_create, name="action_create"),
    path("actions/<int:action_id>/edit/", actions.action_edit, name="action_edit"),
    path("actions/<int:action_id>/delete/", actions.action_delete, name="action_delete"),
]
