"""The ledger refuses DELETE on the embedded SQLite too (0007 refused UPDATE). ``manage.py flush``
still empties the database: the SQLite backend in config/sqlite lifts these triggers for its own
statements, as PostgreSQL's TRUNCATE is not seen by its row triggers."""

from django.db import migrations

TABLES = ("inventory_app_stockmovement", "inventory_app_stockoperation")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only: DELETE on {table} refused'); END"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


class Migration(migrations.Migration):
    dependencies = [("inventory_app", "0012_import_jobs")]

    operations = [migrations.RunPython(forward, backward)]
