"""AML-4: the staff groups support, compliance and board (see kantor.core.roles).

Permissions are normally created after ``migrate`` finishes; they are created
here first so that the groups get their grants in this migration already.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("support", "compliance", "board")


def create_groups(apps, schema_editor):
    from kantor.core import roles

    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None
    roles.sync(apps, using=using)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_auditlog_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0002_staff_permissions_legal_forms"),
        ("ledger", "0002_postgres_triggers"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
