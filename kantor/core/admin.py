"""Back office: the audit log, read-only for everyone (SEC-9, AML-4)."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from .admin_tools import ReadOnlyModelAdmin
from .models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "action", "object_id", "object_repr")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "created_at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "details_pretty",
    )
    readonly_fields = fields

    @admin.display(description="details")
    def details_pretty(self, obj: AuditLog) -> str:
        text = json.dumps(obj.details, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", text)
