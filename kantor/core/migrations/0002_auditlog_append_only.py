"""SEC-9: on PostgreSQL the database itself refuses to edit or delete audit rows.

(TRUNCATE, used when a test database is flushed, is not a row operation and
stays possible for the database owner.) On SQLite the model refuses instead.
"""

from django.db import migrations

INSTALL = """
CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log entries cannot be changed or deleted (SEC-9)';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;
CREATE TRIGGER core_auditlog_append_only
    BEFORE UPDATE OR DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;
DROP FUNCTION IF EXISTS core_auditlog_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNINSTALL, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
