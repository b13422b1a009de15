"""The append-only ledger on the embedded SQLite too (0002 installs it on PostgreSQL): ledger rows
cannot be updated. Deletes are left to the foreign keys (PROTECT) there: SQLite has no TRUNCATE,
so a DELETE trigger would also stop ``manage.py flush`` and the test database's flush."""

from django.db import migrations

TABLES = ("inventory_app_stockmovement", "inventory_app_stockoperation")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        for operation in ("UPDATE",):
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only: {operation} on {table} refused'); END"
            )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        for operation in ("update",):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")


class Migration(migrations.Migration):
    dependencies = [("inventory_app", "0006_cost_report_admin_proxy")]

    operations = [migrations.RunPython(forward, backward)]
