"""Where the ``alert`` kind gets its alerts: a seam, filled at merge.

``settings.NOTIFICATION_ALERT_SOURCES`` names callables (dotted paths) with the
signature ``source(*, user, today) -> [{"code", "title", "detail", "since"}]``;
``code`` and ``since`` together identify an alert, so each is sent at most once
(the key of its ``Notification`` row is ``code:since``). The default is no
source: no alerts. The insights app's ``insights.services.alerts_for`` is meant
to be named here (it sits below ``notifications`` in the layers, so the import
is allowed).
"""

from django.conf import settings
from django.utils.module_loading import import_string


def alert_sources() -> list:
    return [import_string(path) for path in getattr(settings, "NOTIFICATION_ALERT_SOURCES", [])]


def alerts_for(*, user, today) -> list[dict]:
    """Every source's alerts for her on ``today``, each with its once-only key."""
    found = []
    for source in alert_sources():
        for alert in source(user=user, today=today) or []:
            since = alert.get("since")
            since = since.isoformat() if hasattr(since, "isoformat") else str(since)
            found.append({**alert, "key": f"{alert['code']}:{since}"[:200]})
    return found
