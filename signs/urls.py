from core.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("signs", views.SignViewSet, basename="sign")

urlpatterns = router.urls
