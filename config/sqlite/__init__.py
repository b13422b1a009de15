"""The embedded database: Django's SQLite backend whose flush treats the ledger as TRUNCATE would.

On SQLite the stock ledger refuses UPDATE and DELETE by triggers (inventory_app migrations 0007 and
0013), as PostgreSQL's triggers do. PostgreSQL empties tables with TRUNCATE, which row triggers do
not see; SQLite has no TRUNCATE and ``manage.py flush`` (and a test database's flush) deletes rows.
This backend's flush lifts the ledger's DELETE triggers for its own statements and puts them back
in the same transaction, so a flush empties the database and every other DELETE is still refused.
"""

LEDGER_TABLES = ("inventory_app_stockmovement", "inventory_app_stockoperation")


def ledger_delete_trigger_sql(table: str) -> str:
    """The trigger refusing DELETE on one ledger table."""
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only: DELETE on {table} refused'); END"
    )
