"""PostgreSQL only (a no-op elsewhere): trigram indexes for the admin's SKU search and a covering
ledger index for the COGS report's totals.

- ``pg_trgm`` GIN indexes on UPPER(code), UPPER(barcode) and UPPER(name) (the expression Django's
  ``icontains`` compares), so that searching 100,000 SKUs reads the index, not the table. The
  extension is trusted (PostgreSQL 13+): the database owner may create it.
- ``movement_reason_created_idx`` (reason, created_at) is rebuilt with INCLUDE (order_line_id,
  on_hand_delta, value_delta): a window of shipments and returns is summed from the index alone.
  The model keeps declaring the plain index (SQLite has no INCLUDE); the name stays the same.
"""

from django.db import migrations

TRGM_COLUMNS = ("code", "barcode", "name")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRGM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS sku_{column}_trgm_idx ON inventory_app_sku"
            f" USING gin (UPPER({column}::text) gin_trgm_ops)"
        )
    schema_editor.execute("DROP INDEX IF EXISTS movement_reason_created_idx")
    schema_editor.execute(
        "CREATE INDEX movement_reason_created_idx ON inventory_app_stockmovement (reason, created_at)"
        " INCLUDE (order_line_id, on_hand_delta, value_delta)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRGM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS sku_{column}_trgm_idx")
    schema_editor.execute("DROP INDEX IF EXISTS movement_reason_created_idx")
    schema_editor.execute(
        "CREATE INDEX movement_reason_created_idx ON inventory_app_stockmovement (reason, created_at)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory_app", "0023_background_jobs"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
