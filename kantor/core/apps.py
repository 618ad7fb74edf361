from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_staff_groups(sender, apps=None, using="default", **kwargs) -> None:
    """AML-4: after each app's migrations (and permissions), grant its
    permissions to the staff groups (kantor.core.roles)."""
    if not sender.name.startswith("kantor."):
        return
    if apps is None:  # ``flush`` (e.g. between transactional tests) sends no registry
        from django.apps import apps
    try:
        apps.get_model("auth", "Group")
    except LookupError:  # auth not migrated (yet) in this database
        return
    from .roles import sync

    sync(apps, labels={sender.label}, using=using)


class CoreConfig(AppConfig):
    name = "kantor.core"
    label = "core"
    verbose_name = "Kantor: audit log and staff"

    def ready(self) -> None:
        post_migrate.connect(_sync_staff_groups, dispatch_uid="kantor.core.sync_staff_groups")
