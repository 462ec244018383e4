from core.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("imports", views.ImportViewSet, basename="import")

urlpatterns = router.urls
