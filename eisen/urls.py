from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from eisen.api import router
from eisen.api_docs import RedocView, SwaggerView
from eisen.health import healthz
from eisen.login_throttle import ObtainAuthTokenThrottled

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="competencies:framework_list"), name="home"),
    path("", include("competencies.urls")),
    path("", include("courses.urls")),
    path("coverage/", include("courses.coverage_urls")),
    path("evaluation/", include("evaluation.urls")),
    path("exports/", include("eisen.export_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((router.urls, "api"))),
    path("api/v1/auth/token/", ObtainAuthTokenThrottled.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="api-redoc"),
    path("ims/case/v1p0/", include("competencies.case_urls")),
    path("healthz", healthz, name="healthz"),
]

handler403 = "eisen.error_views.permission_denied"
handler404 = "eisen.rest.not_found"
