from django.conf import settings
from django.core.checks import Warning, register


@register()
def shared_cache_with_workers(app_configs, **kwargs):
    """With Celery workers, the training lock and throttle counters live in the
    cache: a per-process cache would not keep two workers from training one user."""
    if settings.CELERY_BROKER_URL and not settings.REDIS_URL:
        return [
            Warning(
                "CELERY_BROKER_URL is set but REDIS_URL is not: the cache is per process.",
                hint="Set REDIS_URL so the training lock and the rate limits span workers.",
                id="planher.W001",
            )
        ]
    return []
