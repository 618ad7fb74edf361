"""Re-install the ledger's PostgreSQL triggers (kantor/ledger/sql/postgres_triggers.sql).

The balance check runs with sequential scans off, so a connection that first
ran it on a small or never-analysed ledger does not keep a plan that scans
every leg (docs/PERFORMANCE.md, fifth session). The SQL file is idempotent.
"""

from importlib import import_module

from django.db import migrations

_triggers = import_module("kantor.ledger.migrations.0002_postgres_triggers")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_trigger_uses_index")]
    operations = [migrations.RunPython(_triggers.install, migrations.RunPython.noop)]
