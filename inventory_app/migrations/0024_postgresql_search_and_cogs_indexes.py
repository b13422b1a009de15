"""PostgreSQL only (a no-op elsewhere): trigram indexes for the admin's searches of SKUs and
orders, and a covering ledger index for the COGS report's totals.

- ``pg_trgm`` GIN indexes (``config.trigram``) on SKU code, barcode and name, order reference,
  customer name and e-mail, and order line channel SKU: substring searches of 100,000 SKUs or
  200,000 orders read the index, not the table.
- ``movement_reason_created_idx`` (reason, created_at) is rebuilt with INCLUDE (order_line_id,
  on_hand_delta, value_delta): a window of shipments and returns is summed from the index alone.
  The model keeps declaring the plain index (SQLite has no INCLUDE); the name stays the same.
"""

from django.db import migrations

from config.trigram import trigram_indexes


def covering_movement_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS movement_reason_created_idx")
    schema_editor.execute(
        "CREATE INDEX movement_reason_created_idx ON inventory_app_stockmovement (reason, created_at)"
        " INCLUDE (order_line_id, on_hand_delta, value_delta)"
    )


def plain_movement_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS movement_reason_created_idx")
    schema_editor.execute(
        "CREATE INDEX movement_reason_created_idx ON inventory_app_stockmovement (reason, created_at)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory_app", "0023_background_jobs"),
    ]

    operations = [
        trigram_indexes(table="inventory_app_sku", columns=("code", "barcode", "name")),
        trigram_indexes(
            table="inventory_app_order", columns=("external_ref", "customer_name", "customer_email")
        ),
        trigram_indexes(table="inventory_app_orderline", columns=("external_sku",)),
        migrations.RunPython(covering_movement_index, plain_movement_index),
    ]
