from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: the API's base classes and rules, the registry of
    her data, background work, the vocabulary; registered for its system checks
    and templates."""

    name = "core"
    verbose_name = "PlanHer core"

    def ready(self):
        from . import checks  # noqa: F401  (registers them)
