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
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if self.errors_occurred:
            return super().is_usable()
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return super().is_usable() if readable else True
