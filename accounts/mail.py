"""Account mail: the password reset link and the address verification link.

A request only queues a job, after its transaction commits: a Celery worker
sends it when a broker is configured, else this process's background thread
(``core.background``), never the request itself. So a slow or failing mail
server never slows an answer, and a reset request takes the same path whether
or not the address has an account: the job, not the request, looks her up.

Jobs carry an address or a user id, never a token: the link is built when the
mail is sent, so no secret sits in the broker or in a log line. Each message
has a plain-text and an HTML body (templates in ``templates/accounts/email``).
"""

import logging

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from core import background

logger = logging.getLogger(__name__)

VERIFICATION_SALT = "accounts.email-verification"
# Without a broker: tries of a job whose mail server fails, and the wait
# before the next one (times the number of tries so far).
IN_PROCESS_ATTEMPTS = 3
IN_PROCESS_BACKOFF_SECONDS = 30


# --- Links ---------------------------------------------------------------------


def reset_uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_from_reset_uid(uid: str):
    """The user a reset link names, or None for anything else."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return get_user_model().objects.filter(pk=pk).first()


def reset_link(user) -> str:
    # Django's token hashes her password hash and last login: the link stops
    # working once the password changes (single use) or after
    # PASSWORD_RESET_TIMEOUT.
    token = default_token_generator.make_token(user)
    return f"{settings.FRONTEND_URL}/reset-password?uid={reset_uid(user)}&token={token}"


def verification_key(user) -> str:
    # Signed with SECRET_KEY and its own salt; names the address too, so a key
    # for an address she no longer has proves nothing.
    return signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFICATION_SALT)


def user_from_verification_key(key: str):
    """The user a valid, unexpired key names (at the address it names), or None."""
    try:
        claims = signing.loads(
            key, salt=VERIFICATION_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE
        )
        return get_user_model().objects.filter(pk=claims["user"], email=claims["email"]).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def verification_link(user) -> str:
    return f"{settings.FRONTEND_URL}/verify-email?key={verification_key(user)}"


# --- Jobs ----------------------------------------------------------------------


def send_message(*, to: str, template: str, context: dict) -> None:
    base = f"accounts/email/{template}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    message = EmailMultiAlternatives(subject, render_to_string(f"{base}.txt", context), to=[to])
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    message.send()


def send_password_reset(email: str) -> str:
    """The reset job: mail the link if an active account uses ``email``."""
    user = get_user_model().objects.filter(email=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return "no account"
    context = {
        "user": user,
        "link": reset_link(user),
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    send_message(to=user.email, template="password_reset", context=context)
    return "sent"


def send_verification(user_id: int) -> str:
    """The verification job: mail her the link, unless she has verified since."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "gone"
    if user.email_verified:
        return "verified"
    days = settings.EMAIL_VERIFICATION_MAX_AGE // (24 * 3600)
    context = {"user": user, "link": verification_link(user), "days": days}
    send_message(to=user.email, template="verify_email", context=context)
    return "sent"


JOBS = {"send_password_reset": send_password_reset, "send_verification": send_verification}


# --- Queueing --------------------------------------------------------------------


def runs_in_background() -> bool:
    """True when a broker carries tasks to Celery workers (the same test as
    ``predictions.queueing``, which accounts may not import)."""
    return not current_app.conf.task_always_eager


def queue(job: str, argument) -> None:
    """Send mail job ``job`` once the current transaction commits."""
    if job not in JOBS:  # a typo fails here, in the request's tests, not later in a worker
        raise ValueError(f"no mail job {job!r}")
    transaction.on_commit(lambda: hand_over(job, argument))


def queue_password_reset(*, email: str) -> None:
    queue("send_password_reset", email)


def queue_verification(*, user) -> None:
    queue("send_verification", user.pk)


def hand_over(job: str, argument) -> None:
    if runs_in_background():
        current_app.send_task(f"accounts.tasks.{job}", (argument,))
    else:
        background.runner.submit(run_in_process, job, argument)


def run_in_process(job: str, argument, attempt: int = 1) -> str:
    """A mail job on the background thread (no broker); a mail server that
    fails (refused, timed out, a 4xx answer) is tried again a few times."""
    try:
        return JOBS[job](argument)
    except OSError:  # smtplib's errors are OSErrors
        if attempt >= IN_PROCESS_ATTEMPTS:
            logger.exception("mail job %s: giving up after %s tries", job, attempt)
            return "failed"
        logger.warning("mail job %s: retrying", job, exc_info=True)
        background.runner.submit(
            run_in_process, job, argument, attempt + 1, delay=IN_PROCESS_BACKOFF_SECONDS * attempt
        )
        return "retrying"
