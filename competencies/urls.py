from django.urls import path

from competencies import views

app_name = "competencies"

urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/<uuid:framework_uuid>/", views.framework_detail, name="framework_detail"),
    path("capabilities/", views.capability_search, name="capability_search"),
    path("capabilities/<uuid:capability_uuid>/", views.capability_detail, name="capability_detail"),
]
