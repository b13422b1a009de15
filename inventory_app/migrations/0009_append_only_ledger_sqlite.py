"""The append-only ledger on SQLite too (PostgreSQL has had its triggers since 0002).

SQLite triggers cannot share a function: each table gets one trigger for UPDATE and one for
DELETE, raising ABORT (an IntegrityError in Django) as PostgreSQL's raise an integrity
constraint violation. Other databases are left alone.
"""

from django.db import migrations

TABLES = ("inventory_app_stockmovement", "inventory_app_stockoperation")
OPERATIONS = ("UPDATE", "DELETE")


def _name(table: str, operation: str) -> str:
    return f"{table.removeprefix('inventory_app_')}_append_only_{operation.lower()}"


def append_only_forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            for operation in OPERATIONS:
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {_name(table, operation)} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only: {operation} on {table} "
                    "refused'); END;"
                )


def append_only_backward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            for operation in OPERATIONS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {_name(table, operation)};")


class Migration(migrations.Migration):
    dependencies = [("inventory_app", "0008_codes_printable")]

    operations = [migrations.RunPython(append_only_forward, append_only_backward)]
