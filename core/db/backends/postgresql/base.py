"""Django's PostgreSQL backend, with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` on, Django checks a persistent connection before
its first use in each request by sending ``SELECT 1``: a round trip on every
request, about a tenth of a cached answer's time in the worker (README,
"Serving speed"). A connection that sits idle between requests has nothing to
read: PostgreSQL only speaks when asked. When the server ends the session (a
restart, ``pg_terminate_backend``, an idle timeout) it sends its reason and
closes the socket, which becomes readable. So an idle connection whose socket
has nothing to read is usable; one that has something, or that psycopg already
knows is closed or broken, or that saw an error, gets Django's own ``SELECT 1``
to decide. ``tests/test_database_backend.py`` ends sessions from the server
side and checks the next request is served.

A connection that dies without a word (a network cut, a failover to another
address) leaves its socket quiet too. Those are the connections that sat idle:
one not checked for ``QUIET_SECONDS`` gets the ``SELECT 1`` all the same. A
busy worker checks its connection every few milliseconds and makes no round
trip; after a pause, the first request pays one, as before.

It also gives ``prepared_cursor()``, for the few statements run on every
request (her user row): PostgreSQL parses and plans such a statement once per
connection instead of each time, which halves its CPU on both sides (~65 µs a
request on this machine; README, "Serving speed"). Django keeps prepared
statements off for the rest, as connection poolers in transaction mode
(PgBouncer before 1.21, or from 1.21 with ``max_prepared_statements`` at 0,
its default before 1.24) lose them: behind such a pooler, set
``DATABASE_PREPARED_STATEMENTS=0``.
"""

import select
import time

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base, operations
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format


class PreparedCursor(base.ServerBindingCursor):
    """Binds its parameters on the server and prepares every statement it runs."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # Django reads a client-side cursor's own text; a PreparedCursor binds on
        # the server, so its statement is written out as Django does for those.
        if isinstance(cursor, PreparedCursor):
            try:
                return self.compose_sql(sql, params)
            except psycopg.errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    QUIET_SECONDS = 10  # a connection not checked for longer gets the round trip

    checked_at = 0.0  # when is_usable last found it usable (monotonic seconds)

    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        now = time.monotonic()
        if self.errors_occurred or now - self.checked_at > self.QUIET_SECONDS:
            usable = super().is_usable()
        else:
            try:
                poller = select.poll()  # not select(): it fails for descriptors over 1023
                poller.register(connection.fileno(), select.POLLIN)
                readable = bool(poller.poll(0))
            except (OSError, ValueError):
                return False
            usable = super().is_usable() if readable else True
        if usable:
            self.checked_at = now
        return usable

    def connect(self):
        super().connect()
        self.checked_at = time.monotonic()  # a new connection needs no check yet

    def get_connection_params(self):
        params = super().get_connection_params()
        # Django turns psycopg's preparing off (None) unless OPTIONS say otherwise.
        # Only a PreparedCursor prepares here: Django's cursors bind on the client,
        # which never prepares whatever this says.
        if settings.DATABASE_PREPARED_STATEMENTS and params["prepare_threshold"] is None:
            params["prepare_threshold"] = 5  # psycopg's own default
        return params

    def prepared_cursor(self):
        """``cursor()``, on a ``PreparedCursor``: for a statement run on every
        request. A plain cursor when ``DATABASE_PREPARED_STATEMENTS`` is off."""
        if not settings.DATABASE_PREPARED_STATEMENTS:
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = PreparedCursor(self.connection)
            # As create_cursor() does for every cursor.
            loader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT)
            if self.timezone != loader.timezone:
                register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)
