"""Install the ledger's PostgreSQL triggers (kantor/ledger/sql/postgres_triggers.sql).

On SQLite the same balance check runs in the posting transaction instead.
"""

from pathlib import Path

from django.db import migrations

SQL = (Path(__file__).resolve().parent.parent / "sql" / "postgres_triggers.sql").read_text()


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg;"
            "DROP TRIGGER IF EXISTS ledger_leg_immutable ON ledger_leg;"
            "DROP TRIGGER IF EXISTS ledger_transaction_immutable ON ledger_ledgertransaction;"
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
