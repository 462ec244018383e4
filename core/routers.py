from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """The contract writes both `/periods/` and `/periods/stats`: accept either form."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
