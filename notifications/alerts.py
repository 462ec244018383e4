"""Where the ``alert`` kind gets its alerts.

``settings.NOTIFICATION_ALERT_SOURCES`` names callables (dotted paths) with the
signature ``source(*, user, today) -> [{"code", "title", "detail", "since"}]``;
``code`` and ``since`` together identify an alert, so each is sent at most once
(the key of its ``Notification`` row is ``code:since``). A source may return
dataclasses with those fields instead of dicts. The default is the insights
app's ``insights.services.alerts_for``: the alerts /insights shows her.
"""

from dataclasses import asdict, is_dataclass

from django.conf import settings
from django.utils.module_loading import import_string


def alert_sources() -> list:
    return [import_string(path) for path in getattr(settings, "NOTIFICATION_ALERT_SOURCES", [])]


def alerts_for(*, user, today) -> list[dict]:
    """Every source's alerts for her on ``today``, each with its once-only key."""
    found = []
    for source in alert_sources():
        for alert in source(user=user, today=today) or []:
            alert = asdict(alert) if is_dataclass(alert) else alert
            since = alert.get("since")
            since = since.isoformat() if hasattr(since, "isoformat") else str(since)
            found.append({**alert, "key": f"{alert['code']}:{since}"[:200]})
    return found
