"""Rate limits: per client IP on the credential endpoints, per user elsewhere.

Counters live in the default cache (Redis when ``REDIS_URL`` is set), so the
limits hold across every worker. The client IP is ``REMOTE_ADDR`` unless
``NUM_PROXIES`` says how many proxies to trust (DRF's ``get_ident``), so a
forged ``X-Forwarded-For`` cannot escape the limit.

Every throttle counts in one cache round trip (``WindowRateThrottle``).
"""

import contextlib
import math

from rest_framework import throttling

from .cache import counters_count_and_read


class WindowRateThrottle(throttling.SimpleRateThrottle):
    """DRF's ``SimpleRateThrottle`` (same rates, keys, ``Retry-After``), counting
    in one cache round trip instead of two and a list of timestamps.

    DRF keeps every request's time in the window under one key: a GET and a SET
    of that list (up to 600 entries at 600/min) on each request. Here a request
    adds one to the counter of the current fixed window and reads the previous
    window's (one Redis pipeline), and the rate is judged over the sliding
    window by weighting the previous count by the part of it still inside:
    ``previous * (1 - elapsed / duration) + current``. A refused request is taken
    back out of the count, as DRF does not record it either.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window, elapsed = divmod(self.now, self.duration)
        current, previous = f"{self.key}:{int(window)}", f"{self.key}:{int(window) - 1}"
        count, before = counters_count_and_read(
            self.cache, current, previous, timeout=2 * self.duration
        )
        remaining = 1 - elapsed / self.duration
        if before * remaining + count <= self.num_requests:
            return True
        with contextlib.suppress(ValueError):  # its window just expired: nothing to take back
            self.cache.decr(current)
        if count > self.num_requests:  # this window alone is full: wait for the next
            self._wait = self.duration - elapsed
        else:  # wait until the previous window's share has faded enough
            fade_until = self.duration * (1 - (self.num_requests - count) / before)
            self._wait = fade_until - elapsed
        return False

    def wait(self):
        return max(1, math.ceil(round(self._wait, 6)))  # 10.000000000000004 is 10


class AuthRateThrottle(WindowRateThrottle):
    """``THROTTLE_AUTH_RATE`` per client IP, one bucket per endpoint."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": f"{self.scope}:{type(view).__name__}",
            "ident": self.get_ident(request),
        }


class UserRateThrottle(WindowRateThrottle, throttling.UserRateThrottle):
    """``THROTTLE_USER_RATE`` per user (per IP for anonymous requests)."""

    scope = "user"
