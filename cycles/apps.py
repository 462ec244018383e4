from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "cycles"
    verbose_name = "Cycles"

    def ready(self):
        from accounts.userdata import register_user_data

        from . import services

        register_user_data("profile", export=services.profile_export)
        register_user_data("periods", export=services.periods_export)
