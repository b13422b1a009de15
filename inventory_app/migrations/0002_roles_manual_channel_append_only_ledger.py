"""Staff role groups, the built-in "manual" sales channel, and an append-only ledger on PostgreSQL."""

from django.db import migrations

ROLES = ("viewer", "operator", "manager")

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION inventory_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the stock ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stockmovement_append_only BEFORE UPDATE OR DELETE ON inventory_app_stockmovement
    FOR EACH ROW EXECUTE FUNCTION inventory_ledger_append_only();
CREATE TRIGGER stockoperation_append_only BEFORE UPDATE OR DELETE ON inventory_app_stockoperation
    FOR EACH ROW EXECUTE FUNCTION inventory_ledger_append_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS stockmovement_append_only ON inventory_app_stockmovement;
DROP TRIGGER IF EXISTS stockoperation_append_only ON inventory_app_stockoperation;
DROP FUNCTION IF EXISTS inventory_ledger_append_only();
"""


def create_roles_and_channel(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    SalesChannel = apps.get_model("inventory_app", "SalesChannel")
    SalesChannel.objects.get_or_create(code="manual", defaults={"name": "Manual / API", "kind": "manual"})


def append_only_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(APPEND_ONLY_SQL)


def append_only_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory_app", "0001_catalog_stock_ledger_orders"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_roles_and_channel, migrations.RunPython.noop),
        migrations.RunPython(append_only_forward, append_only_backward),
    ]
