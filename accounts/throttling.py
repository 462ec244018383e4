"""Rate limits of the account mail, on top of the per-IP ``auth`` limit.

``THROTTLE_EMAIL_RATE`` (default 5/hour) per address for reset requests, so
that many IPs cannot flood one inbox, and per account for verification
resends. Addresses are keyed by a hash of their normal form: the cache holds
no address, and "Ada@X.org" and "ada@x.org" share one bucket.
"""

import hashlib

from django.conf import settings

from core.throttling import WindowRateThrottle

from .emails import normalize_email


class EmailRateThrottle(WindowRateThrottle):
    def get_rate(self):
        return settings.THROTTLE_EMAIL_RATE


class ResetAddressThrottle(EmailRateThrottle):
    """Reset requests for one address, from anywhere."""

    scope = "password-reset-address"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email:
            return None  # the serializer answers 400
        digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class VerificationResendThrottle(EmailRateThrottle):
    """Verification emails one account may ask for."""

    scope = "email-verify-resend"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
