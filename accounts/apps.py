from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from axes.signals import user_locked_out

        from . import lockout

        user_locked_out.connect(lockout.note_lockout, dispatch_uid="accounts.lockout.note_lockout")
