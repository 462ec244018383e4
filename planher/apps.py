from django.apps import AppConfig


class PlanherConfig(AppConfig):
    """The project itself, registered for its system checks."""

    name = "planher"

    def ready(self):
        from . import checks  # noqa: F401  (registers them)
