"""``Model.objects.get(pk=...)`` with its SQL compiled once per connection.

Authentication reads her user row on every request. Through the ORM, half of
that read is building the query again: the lookup, the WHERE tree, the column
list and the SQL text, ~0.2 ms of a worker's CPU for a statement that never
changes (README, "Serving speed"). Here the ORM compiles it once per database
connection (so the SQL, its columns and its value converters are exactly the
ORM's own, whatever the database) and each call only runs it: the same query
on the same connection, counted and logged like any other.
"""

import weakref

from django.db import connections, router


class PrimaryKeyLookup:
    def __init__(self, model):
        self.model = model
        self._compiled = weakref.WeakKeyDictionary()  # connection -> its compiled statement

    def get(self, pk):
        """The row with this primary key; ``DoesNotExist`` as ``get()`` raises it.
        A value that cannot be a primary key (``ValueError``, ``TypeError``) is
        refused as ``get()`` refuses it."""
        db = router.db_for_read(self.model)
        connection = connections[db]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(db, connection)
        sql, names, compiler, converters = compiled
        value = self.model._meta.pk.get_db_prep_value(pk, connection)
        # PostgreSQL: prepared once per connection (core.db.backends.postgresql).
        with getattr(connection, "prepared_cursor", connection.cursor)() as cursor:
            cursor.execute(sql, [value])
            rows = cursor.fetchall()
        if not rows:
            raise self.model.DoesNotExist(
                f"{self.model._meta.object_name} matching query does not exist."
            )
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        return self.model.from_db(db, names, rows[0])

    def _compile(self, db, connection):
        marker = 1  # any valid key: only the SQL text and the columns are kept
        queryset = self.model._default_manager.db_manager(db).filter(pk=marker).order_by()
        compiler = queryset.query.get_compiler(using=db, connection=connection)
        sql, params = compiler.as_sql()
        if len(params) != 1:  # pragma: no cover - a manager that adds conditions
            raise ValueError(f"{self.model.__name__}'s default manager adds conditions")
        expressions = [column for column, _, _ in compiler.select]
        names = [column.target.attname for column in expressions]
        return sql, names, compiler, compiler.get_converters(expressions)
