from core.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("profiles", views.ProfileViewSet, basename="profile")
router.register("periods", views.PeriodViewSet, basename="period")

urlpatterns = router.urls
