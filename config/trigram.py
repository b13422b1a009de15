"""Trigram (``pg_trgm``) indexes for the admin's substring searches, as a migration operation.

Django's ``icontains`` compares ``UPPER(column::text) LIKE UPPER('%term%')``; a GIN index on that
expression with ``gin_trgm_ops`` lets PostgreSQL answer it without reading the table. Other
databases get nothing (the operation is a no-op there: SQLite scans, as it always did).
"""

from __future__ import annotations

from django.db import migrations


def trigram_index_name(*, table: str, column: str) -> str:
    """The index's name: ``<table without the app prefix>_<column>_trgm_idx``."""
    return f"{table.split('_app_', 1)[-1]}_{column}_trgm_idx"


def trigram_indexes(*, table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """A reversible operation adding (PostgreSQL only) one trigram index per column of ``table``;
    it creates the ``pg_trgm`` extension if missing (trusted: the database owner may)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {trigram_index_name(table=table, column=column)} ON {table}"
                f" USING gin (UPPER({column}::text) gin_trgm_ops)"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f"DROP INDEX IF EXISTS {trigram_index_name(table=table, column=column)}")

    return migrations.RunPython(forwards, backwards)
