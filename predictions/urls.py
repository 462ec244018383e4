from django.urls import re_path

from core.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("predictions", views.PredictionViewSet, basename="prediction")

urlpatterns = [
    re_path(r"^calendar/?$", views.CalendarView.as_view(), name="calendar"),
    *router.urls,
]
