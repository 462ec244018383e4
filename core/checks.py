import os

from django.conf import STATICFILES_STORAGE_ALIAS, settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error, Tags, Warning, register
from django.core.files.storage import storages


def web_workers() -> int:
    """gunicorn's worker count as the environment gives it (``WEB_CONCURRENCY``,
    which gunicorn reads when ``--workers`` is not on its command line)."""
    try:
        return int(os.environ.get("WEB_CONCURRENCY", "1"))
    except ValueError:
        return 1


@register()
def shared_cache_with_workers(app_configs, **kwargs):
    """With several processes, the training lock, the throttle counters and the
    failed-login counters (django-axes) live in the cache: a per-process cache
    would let each worker train the same user and multiply every limit.

    An Error with DEBUG off (a deployment): 10 failed logins per account would
    quietly become 10 per worker. A Warning with DEBUG on (a developer's broker).
    """
    if settings.REDIS_URL:
        return []
    several = []
    if settings.CELERY_BROKER_URL:
        several.append("CELERY_BROKER_URL is set")
    if web_workers() > 1:
        several.append(f"WEB_CONCURRENCY is {web_workers()}")
    if not several:
        return []
    reason = " and ".join(several)
    if not settings.DEBUG:
        return [
            Error(
                f"{reason} but REDIS_URL is not: each process would keep its own "
                "failed-login counts, rate limits and training lock.",
                hint="Set REDIS_URL so the limits and the training lock span every worker.",
                id="planher.E003",
            )
        ]
    return [
        Warning(
            f"{reason} but REDIS_URL is not: the cache is per process.",
            hint="Set REDIS_URL so the training lock and the rate limits span workers.",
            id="planher.W001",
        )
    ]


def static_manifest_missing() -> str | None:
    """The manifest file that the static storage needs but lacks, if any.

    With DEBUG off, WhiteNoise's manifest storage raises on every ``{% static %}``
    until ``collectstatic`` has written its manifest: each admin page answers 500.
    """
    if settings.DEBUG:
        return None
    storage = storages.create_storage(settings.STORAGES[STATICFILES_STORAGE_ALIAS])
    if not isinstance(storage, ManifestFilesMixin):
        return None
    if storage.manifest_storage.exists(storage.manifest_name):
        return None
    return storage.manifest_storage.path(storage.manifest_name)


@register(Tags.staticfiles, deploy=True)
def static_files_collected(app_configs, **kwargs):
    missing = static_manifest_missing()
    if missing is None:
        return []
    return [
        Error(
            f"The static files manifest {missing} is missing: with DEBUG off every admin "
            "page would answer 500.",
            hint="Run `manage.py collectstatic` (into STATIC_ROOT) before starting the server; "
            "the Dockerfile does it at build time.",
            id="planher.E001",
        )
    ]


@register(Tags.admin)
def user_data_admins_announce_changes(app_configs, **kwargs):
    """An admin that wrote her data behind the API's back would leave her model
    untrained: every admin of her data must be a ``UserDataAdmin``."""
    from django.contrib import admin

    from .admin import UserDataAdmin
    from .userdata import user_data_models

    return [
        Error(
            f"The admin of {model._meta.label} writes her data without announcing the "
            "change: her model would not be retrained.",
            hint="Derive it from core.admin.UserDataAdmin.",
            obj=admin.site._registry[model],
            id="planher.E002",
        )
        for model in user_data_models()
        if model in admin.site._registry
        and not isinstance(admin.site._registry[model], UserDataAdmin)
    ]
