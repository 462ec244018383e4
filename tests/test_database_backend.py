"""The PostgreSQL backend's health check (core/db/backends/postgresql): a quiet
connection passes without a round trip; one whose session the server ended is
found unusable, closed, and the next query runs on a new one.

Each test opens its own connection (``connections.create_connection``) and ends
its session from the test's, with ``pg_terminate_backend``: what a restart, a
failover or an idle timeout does to a worker's persistent connection.
"""

import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_backend

pytestmark = pytest.mark.django_db


@pytest.fixture
def other():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite connections are not kept between requests (CONN_MAX_AGE 0)")
    wrapper = connections.create_connection("default")
    wrapper.health_check_enabled = True  # as the settings ask (CONN_HEALTH_CHECKS)
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


@pytest.fixture
def round_trips(monkeypatch):
    """How many times Django's own check (a ``SELECT 1`` round trip) ran."""
    calls = []
    own = django_backend.DatabaseWrapper.is_usable

    def counted(self):
        calls.append(self)
        return own(self)

    monkeypatch.setattr(django_backend.DatabaseWrapper, "is_usable", counted)
    return calls


def pid_of(wrapper) -> int:
    return wrapper.connection.info.backend_pid


def terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server closes the socket right after; wait until it has gone.
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.02)


def test_a_quiet_connection_passes_without_a_round_trip(other, round_trips):
    pid = pid_of(other)
    other.checked_at = time.monotonic()  # checked a moment ago, as in a busy worker
    assert other.is_usable()
    assert round_trips == []
    other.health_check_done = False
    other.close_if_health_check_failed()
    assert round_trips == []
    assert other.connection is not None and pid_of(other) == pid


def test_a_connection_idle_for_a_while_gets_the_round_trip(other, round_trips):
    """It may have died without a word (a network cut): its quiet socket proves nothing."""
    other.checked_at = time.monotonic() - other.QUIET_SECONDS - 1
    assert other.is_usable()
    assert round_trips == [other]
    assert other.is_usable()  # just checked: quiet again
    assert round_trips == [other]


def test_a_connection_the_server_ended_is_closed_and_replaced(other, round_trips):
    ended = pid_of(other)
    other.checked_at = time.monotonic()
    terminate(ended)

    other.health_check_done = False  # a new request, as request_started marks it
    other.close_if_health_check_failed()

    assert round_trips == [other]  # the socket had something to read: Django's check decided
    assert other.connection is None
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != ended


def test_a_connection_that_saw_an_error_gets_the_round_trip(other, round_trips):
    other.errors_occurred = True
    assert other.is_usable()
    assert round_trips == [other]


def test_a_closed_connection_is_not_usable(other, round_trips):
    other.connection.close()
    assert not other.is_usable()
    assert round_trips == []


def prepared_statements(wrapper) -> list[str]:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)  # her row committed: the other connection reads it
def test_her_row_is_read_by_a_statement_prepared_once_per_connection(other, user, monkeypatch):
    from django.db.utils import ConnectionHandler

    from accounts.authentication import SessionJWTAuthentication

    lookup = SessionJWTAuthentication.users
    # The lookup runs on the connection Django hands this thread: here, ``other``.
    handler = ConnectionHandler()
    handler["default"] = other
    monkeypatch.setattr("core.db.lookup.connections", handler)

    assert [lookup.get(user.pk).email for _ in range(3)] == [user.email] * 3
    statements = [s for s in prepared_statements(other) if '"accounts_user"' in s]
    assert len(statements) == 1 and '"accounts_user"."id" = $1' in statements[0]


def test_a_prepared_statement_is_logged_as_its_sql(other, user):
    """Query logs and query-counting tests read the text of every statement."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(other) as captured, other.prepared_cursor() as cursor:
        cursor.execute('SELECT "email" FROM "accounts_user" WHERE "id" = %s', [user.pk])
    assert captured.captured_queries[0]["sql"] == (
        f'SELECT "email" FROM "accounts_user" WHERE "id" = {user.pk}'
    )


@pytest.mark.django_db(transaction=True)
def test_prepared_statements_can_be_turned_off(other, user, monkeypatch, settings):
    from django.db.utils import ConnectionHandler

    from accounts.authentication import SessionJWTAuthentication

    settings.DATABASE_PREPARED_STATEMENTS = False
    handler = ConnectionHandler()
    handler["default"] = other
    monkeypatch.setattr("core.db.lookup.connections", handler)

    assert SessionJWTAuthentication.users.get(user.pk).email == user.email
    assert prepared_statements(other) == []


@pytest.mark.django_db(transaction=True)
def test_a_prepared_lookup_survives_a_migration_that_changes_the_table(other, user, monkeypatch):
    """A rolling deploy: the table's column changes type under a connection that
    prepared the lookup; PostgreSQL refuses the old plan, the lookup runs afresh."""
    from django.db.utils import ConnectionHandler

    from accounts.authentication import SessionJWTAuthentication

    handler = ConnectionHandler()
    handler["default"] = other
    monkeypatch.setattr("core.db.lookup.connections", handler)
    lookup = SessionJWTAuthentication.users
    assert lookup.get(user.pk).email == user.email  # prepared
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE accounts_user ALTER COLUMN name TYPE varchar(151)")
    try:
        assert lookup.get(user.pk).email == user.email
        assert lookup.get(user.pk).email == user.email  # prepared again
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE accounts_user ALTER COLUMN name TYPE varchar(150)")


@pytest.mark.django_db(transaction=True)
def test_a_thread_that_ends_takes_its_connection_along(other, user):
    """Granian ends idle threads: their connections must not outlive them."""
    import gc
    import threading

    from accounts.authentication import SessionJWTAuthentication

    def sessions() -> int:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    before = sessions()
    found = []

    def authenticate():
        found.append(SessionJWTAuthentication.users.get(user.pk).email)  # its own connection

    for _ in range(3):
        thread = threading.Thread(target=authenticate)
        thread.start()
        thread.join()
    assert found == [user.email] * 3
    gc.collect()
    for _ in range(50):
        if sessions() <= before:
            break
        time.sleep(0.05)
    assert sessions() <= before
