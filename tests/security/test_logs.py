"""Logs: no password or token reaches them.

Part of what SECURITY.md promises, each shown over real HTTP."""

import logging

import pytest
from django.db import connection

from .common import API, bearer, login

pytestmark = pytest.mark.django_db


# --- Logs ------------------------------------------------------------------------------------


@pytest.fixture
def every_log_record(caplog):
    """Every record of every logger, at DEBUG (including those that do not propagate)."""
    caplog.set_level(logging.DEBUG)
    loggers = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    previous = [(logger, logger.level) for logger in loggers]
    attached = []
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if not logger.propagate:
            logger.addHandler(caplog.handler)
            attached.append(logger)
    yield caplog
    for logger, level in previous:
        logger.setLevel(level)
    for logger in attached:
        logger.removeHandler(caplog.handler)


def record_text(record) -> str:
    formatted = logging.Formatter("%(name)s %(message)s").format(record)
    return "\n".join([formatted, repr(record.args), repr(vars(record))])


def walk_the_account_lifecycle(client) -> tuple[list[str], list[str]]:
    """Register, fail and succeed at logging in, refresh, change the password, fail
    and succeed at deleting: the secrets she typed and the tokens she was given."""
    first, second, wrong = (
        "first-secret-passphrase-77",
        "second-secret-passphrase-88",
        "wr0ng-guess-99",
    )
    tokens = []
    registered = client.post(
        f"{API}/auth/register", {"email": "ada@example.com", "password": first}
    )
    assert registered.status_code == 201
    tokens += [registered.data["access"], registered.data["refresh"]]
    assert (
        client.post(
            f"{API}/auth/register", {"email": "x@example.com", "password": "short"}
        ).status_code
        == 400
    )
    assert login(client, "ada@example.com", wrong).status_code == 401
    logged_in = login(client, "ada@example.com", first)
    assert logged_in.status_code == 200
    tokens += [logged_in.data["access"], logged_in.data["refresh"]]
    refreshed = client.post(f"{API}/auth/refresh", {"refresh": logged_in.data["refresh"]})
    assert refreshed.status_code == 200
    tokens += [refreshed.data["access"], refreshed.data["refresh"]]
    replayed = client.post(f"{API}/auth/refresh", {"refresh": logged_in.data["refresh"]})
    assert replayed.status_code == 401
    # The replay ended the login's session; the registration's goes on.
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {registered.data['access']}")
    changes = [
        client.post(f"{API}/auth/password", {"old_password": wrong, "new_password": second}),
        client.post(f"{API}/auth/password", {"old_password": first, "new_password": "123"}),
        client.post(f"{API}/auth/password", {"old_password": first, "new_password": second}),
    ]
    assert [r.status_code for r in changes] == [400, 400, 204]
    # The change ended every session: deleting takes a new login.
    relogged = login(client, "ada@example.com", second)
    assert relogged.status_code == 200
    tokens += [relogged.data["access"], relogged.data["refresh"]]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {relogged.data['access']}")
    assert client.delete(f"{API}/auth/me", {"password": wrong}).status_code == 400
    assert client.delete(f"{API}/auth/me", {"password": second}).status_code == 204
    bad = bearer(tokens[0][:-4] + "AAAA")
    assert bad.get(f"{API}/auth/me").status_code == 401
    return [first, second, wrong], tokens


def assert_no_secret_in(records, secrets_typed, tokens):
    for record in records:
        text = record_text(record)
        for secret in secrets_typed:
            assert secret not in text, f"a password reached the log: {record.name}"
        for token in tokens:
            signature = token.rsplit(".", 1)[-1]
            assert signature not in text, f"a token reached the log: {record.name}"


@pytest.mark.django_db
def test_no_password_or_token_reaches_the_logs_at_debug(every_log_record, anon_client):
    secrets_typed, tokens = walk_the_account_lifecycle(anon_client)
    records = every_log_record.records
    # The control: the 400s and 401s were logged, so the capture works.
    warnings = {r.getMessage() for r in records if r.name == "django.request"}
    assert any(m.startswith("Unauthorized: /api/v1/auth/login") for m in warnings), warnings
    assert any(m.startswith("Bad Request: /api/v1/auth/password") for m in warnings), warnings
    assert_no_secret_in(records, secrets_typed, tokens)


@pytest.mark.django_db
def test_no_password_or_token_reaches_the_logs_even_with_sql_logging_on(caplog, anon_client):
    """As with DEBUG=1 and LOG_LEVEL=DEBUG: queries are recorded, but the
    configured loggers keep SQL out of the logs."""
    caplog.set_level(logging.DEBUG)
    parameters = []

    def remember(execute, sql, params, many, context):
        parameters.append(repr(params))
        return execute(sql, params, many, context)

    connection.force_debug_cursor = True
    try:
        with connection.execute_wrapper(remember):
            secrets_typed, tokens = walk_the_account_lifecycle(anon_client)
    finally:
        connection.force_debug_cursor = False
    # The control: queries were recorded, and carry her address.
    assert any("ada@example.com" in params for params in parameters)
    # Refresh tokens are stored as digests: no query carries one.
    assert not any(token in params for token in tokens for params in parameters)
    assert_no_secret_in(caplog.records, secrets_typed, tokens)
