"""Re-install the ledger's PostgreSQL triggers (kantor/ledger/sql/postgres_triggers.sql).

The balance check now finds a batch's transactions by index instead of
scanning every leg, so the cost of an insert no longer grows with the ledger.
The SQL file is idempotent (CREATE OR REPLACE, DROP TRIGGER IF EXISTS).
"""

from importlib import import_module

from django.db import migrations

_triggers = import_module("kantor.ledger.migrations.0002_postgres_triggers")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_postgres_triggers")]
    operations = [migrations.RunPython(_triggers.install, migrations.RunPython.noop)]
