from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core.exceptions import api_not_found
from core.health import HealthView

api_v1 = [
    path("auth/", include("accounts.urls")),
    path("health", HealthView.as_view(), name="health"),
    path("", include("cycles.urls")),
    path("", include("moods.urls")),
    path("", include("signs.urls")),
    path("", include("predictions.urls")),
    path("", include("imports.urls")),
    path("", include("notifications.urls")),
    path("", include("insights.urls")),
    # Last: a path no route matches answers JSON, with DEBUG on too.
    re_path(r"^.*$", api_not_found),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Swagger UI and ReDoc are served from this project's static files (no CDN).
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="core/redoc.html"),
        name="redoc",
    ),
    path("admin/", admin.site.urls),
]

handler404 = "core.exceptions.not_found"
