from core.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("moods", views.DailyMoodViewSet, basename="mood")

urlpatterns = router.urls
