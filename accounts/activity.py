"""Her activity log: security events of her account, recorded as they happen.

``record_activity`` is the one way in. The address is the client's as the
throttles see it (``REMOTE_ADDR``, or ``X-Forwarded-For`` past ``NUM_PROXIES``
trusted proxies), so a forged header cannot put someone else's address in her
log. Nothing secret is ever recorded: no password, no token.
"""

from ipaddress import ip_address

from rest_framework.throttling import BaseThrottle

from .models import ActivityEvent

Event = ActivityEvent.Event
USER_AGENT_LENGTH = ActivityEvent._meta.get_field("user_agent").max_length


def client_address(request) -> str | None:
    """Her address as the throttles count it, or None when it is not one."""
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ip_address((ident or "").strip()))
    except ValueError:
        return None


def record_activity(user, event: str, request=None, *, detail: str = "") -> ActivityEvent:
    """Record ``event`` (one of ``ActivityEvent.Event``) for her account."""
    ip, agent = None, ""
    if request is not None:
        ip = client_address(request)
        agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
    return ActivityEvent.objects.create(
        user=user, event=Event(event), ip=ip, user_agent=agent, detail=detail[:200]
    )


def record_account_deleted() -> ActivityEvent:
    """The trace left once she is gone: that an account was deleted, not whose."""
    return ActivityEvent.objects.create(user=None, event=Event.ACCOUNT_DELETED)


def activity_export(user) -> list[dict]:
    return [
        {
            "at": event.at.isoformat(),
            "event": event.event,
            "ip": event.ip,
            "user_agent": event.user_agent,
        }
        for event in ActivityEvent.objects.for_user(user).order_by("at", "pk")
    ]


def record_staff_view(user, request) -> None:
    """Staff opened one of her health-data pages in the admin."""
    staff = getattr(request, "user", None)
    record_activity(
        user,
        Event.STAFF_VIEWED_HEALTH_DATA,
        request,
        detail=f"{request.path} by {getattr(staff, 'email', 'staff')}",
    )
