"""Django's SQLite backend with a flush that lifts the ledger's DELETE triggers for itself."""

from __future__ import annotations

from django.db.backends.sqlite3 import base, operations

from config.sqlite import LEDGER_TABLES, ledger_delete_trigger_sql


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        flushed = [table for table in LEDGER_TABLES if any(table in sql for sql in statements)]
        if not flushed:
            return statements
        lift = [f"DROP TRIGGER IF EXISTS {table}_no_delete;" for table in flushed]
        restore = [f"{ledger_delete_trigger_sql(table)};" for table in flushed]
        return lift + statements + restore


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
