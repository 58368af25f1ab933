"""Reports: per mechanism of a logic model, per capability of a framework, per course."""

from django.urls import path

from evaluation.views import reports

urlpatterns = [
    path("reports/mechanisms/", reports.mechanism_report_page, name="mechanism_report"),
    path("reports/capabilities/", reports.capability_report_page, name="capability_report"),
    path("reports/courses/", reports.course_report_list, name="course_report_list"),
    path("reports/courses/<uuid:uuid>/", reports.course_report_page, name="course_report"),
]
