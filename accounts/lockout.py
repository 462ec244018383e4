"""Failed logins limited per account, from any address (django-axes).

django-axes counts failed ``authenticate()`` calls and refuses the next ones
once an account has ``AXES_FAILURE_LIMIT`` failures within
``AXES_COOLOFF_TIME``. PlanHer keys the count on the address in its normal form
(``accounts.emails``), so ``Ada@Example.com`` and a fullwidth spelling of it
share one counter, and on nothing else: the lock holds from every IP (the
per-IP limit is DRF's ``AuthRateThrottle``).

The counters live in the default cache (``AxesCacheHandler``): Redis with
``REDIS_URL`` set, shared by every worker (``planher.E003`` refuses to start
several workers without it). Nothing about a login attempt is written to the
database, and each counter disappears with its window.

Both logins share one count. The JWT login (``LoginSerializer``) asks
``is_locked`` before checking the password and answers DRF's 429 with
``retry_after_seconds``; the admin login form is answered by ``AxesMiddleware``
through ``lockout_response``.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from .emails import normalize_email

LOCKED_UNTIL_KEY = "accounts:lockout:until:%s"
LOCKED_MESSAGE = "Too many failed logins for this account: try again later, or reset your password."


def lockout_username(request, credentials=None) -> str | None:
    """The account an attempt is counted against: the address in its normal form.

    The JWT login sends ``email``; Django's admin login form sends ``username``.
    """
    value = None
    for field in ("email", "username"):
        if credentials and isinstance(credentials.get(field), str):
            value = credentials[field]
            break
    if value is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        for field in ("email", "username"):
            if isinstance(data.get(field), str):
                value = data[field]
                break
    if value is None:
        return None
    return normalize_email(value)


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _locked_until_key(username: str) -> str:
    # Hashed, as axes does its own keys: no address in the cache's key space,
    # and a key of fixed length whatever the address.
    return LOCKED_UNTIL_KEY % hashlib.sha256(username.encode()).hexdigest()


def note_lockout(sender, request, username, ip_address, **kwargs):
    """Remember when a lock ends, to say so in ``Retry-After``.

    Sent at the failure that locks the account and at each attempt refused
    during the lock; ``add`` keeps the first, the moment the window started
    (attempts during a lock do not extend it: ``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``).
    """
    if username:
        seconds = cooloff_seconds()
        cache.add(_locked_until_key(username), time.time() + seconds, timeout=seconds)


def is_locked(request, credentials) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, credentials)


def retry_after_seconds(request, credentials=None) -> int:
    """Whole seconds until the account in this attempt may try again (at least 1)."""
    username = lockout_username(request, credentials)
    until = cache.get(_locked_until_key(username)) if username else None
    if until is None:
        return cooloff_seconds()
    return max(1, math.ceil(until - time.time()))


def lockout_response(request, original_response=None, credentials=None):
    """The admin login's answer while its account is locked (``AXES_LOCKOUT_CALLABLE``):
    a page that says what happened and when to try again, 429 with ``Retry-After``."""
    seconds = retry_after_seconds(request, credentials)
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": math.ceil(seconds / 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
