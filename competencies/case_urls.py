from django.urls import path

from competencies import case_provider

app_name = "case"

urlpatterns = [
    path("CFDocuments", case_provider.documents, name="documents"),
    path("CFDocuments/<str:identifier>", case_provider.document, name="document"),
    path("CFPackages/<str:identifier>", case_provider.package, name="package"),
    path("CFItems/<str:identifier>", case_provider.item, name="item"),
    path("CFAssociations/<str:identifier>", case_provider.association, name="association"),
    path(
        "CFItemAssociations/<str:identifier>",
        case_provider.item_associations,
        name="item_associations",
    ),
]
