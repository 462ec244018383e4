"""``Model.objects.get(pk=...)`` with its SQL compiled once per connection.

Authentication reads her user row on every request. Through the ORM, half of
that read is building the query again: the lookup, the WHERE tree, the column
list and the SQL text, ~0.2 ms of a worker's CPU for a statement that never
changes (README, "Serving speed"). Here the ORM compiles it once per database
connection (so the SQL, its columns and its value converters are exactly the
ORM's own, whatever the database) and each call only runs it: the same query
on the same connection, counted and logged like any other.

The compiled statement is kept on the connection itself: it goes when the
connection goes (a thread that ends takes its connection along; a table of
connections kept here would keep every one of them open).
"""

from django.db import NotSupportedError, connections, router


class PrimaryKeyLookup:
    def __init__(self, model):
        self.model = model
        self._attribute = f"_planher_pk_lookup_{model._meta.label_lower}"

    def get(self, pk):
        """The row with this primary key; ``DoesNotExist`` as ``get()`` raises it.
        A value that cannot be a primary key (``ValueError``, ``TypeError``,
        ``OverflowError``) is refused as ``get()`` would refuse it."""
        db = router.db_for_read(self.model)
        connection = connections[db]
        compiled = connection.__dict__.get(self._attribute)
        if compiled is None:
            compiled = self._compile(db, connection)
            setattr(connection, self._attribute, compiled)
        sql, names, compiler, converters = compiled
        value = self.model._meta.pk.get_db_prep_value(pk, connection)
        if isinstance(value, int):
            low, high = connection.ops.integer_field_range(self.model._meta.pk.get_internal_type())
            if not (low is None or low <= value) or not (high is None or value <= high):
                raise OverflowError(f"{value} is out of range for a primary key")
        try:
            rows = self._run(connection, sql, value, prepared=True)
        except NotSupportedError:
            # PostgreSQL refuses a prepared plan whose result type changed under
            # it (a migration altered the table): forget the plans, run it afresh.
            # Inside a transaction the failure aborted it: nothing to retry there.
            if connection.in_atomic_block:
                raise
            with connection.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")
            rows = self._run(connection, sql, value, prepared=False)
        if not rows:
            raise self.model.DoesNotExist(
                f"{self.model._meta.object_name} matching query does not exist."
            )
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        return self.model.from_db(db, names, rows[0])

    @staticmethod
    def _run(connection, sql, value, *, prepared: bool) -> list:
        # PostgreSQL: prepared once per connection (core.db.backends.postgresql).
        cursor = getattr(connection, "prepared_cursor", None) if prepared else None
        with (cursor or connection.cursor)() as cursor:
            cursor.execute(sql, [value])
            return cursor.fetchall()

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
