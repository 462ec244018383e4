"""Rate limits: per client IP on the credential endpoints, per user elsewhere.

Counters live in the default cache (Redis when ``REDIS_URL`` is set), so the
limits hold across every worker. The client IP is ``REMOTE_ADDR`` unless
``NUM_PROXIES`` says how many proxies to trust (DRF's ``get_ident``), so a
forged ``X-Forwarded-For`` cannot escape the limit.
"""

from rest_framework import throttling


class AuthRateThrottle(throttling.SimpleRateThrottle):
    """``THROTTLE_AUTH_RATE`` per client IP, one bucket per endpoint."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": f"{self.scope}:{type(view).__name__}",
            "ident": self.get_ident(request),
        }


class UserRateThrottle(throttling.UserRateThrottle):
    """``THROTTLE_USER_RATE`` per user (per IP for anonymous requests)."""

    scope = "user"
