from core.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("predictions", views.PredictionViewSet, basename="prediction")

urlpatterns = router.urls
