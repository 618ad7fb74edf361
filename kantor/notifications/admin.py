"""Back office: the outbox (DOC-3), read-only, with "retry now" for staff.

Messages are written only by the apps' actions and producers; the one staff
decision here is to make unsent ones due again at once (``actions.retry_now``,
audited). Attachments can be downloaded from the message's page.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kantor.core.admin_tools import ViewOnlyObjectMixin

from . import actions
from .models import OutboxAttachment, OutboxMessage


@admin.action(description=_("Retry now (unsent messages)"), permissions=["retry"])
def retry_now(modeladmin, request, queryset):
    done = actions.retry_now(queryset.values_list("pk", flat=True), acting_user=request.user)
    skipped = queryset.count() - len(done)
    modeladmin.message_user(
        request,
        _("%(n)d message(s) will be sent within seconds.") % {"n": len(done)},
        messages.SUCCESS,
    )
    if skipped:
        modeladmin.message_user(
            request, _("%(n)d sent or claimed message(s) left alone.") % {"n": skipped}
        )


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ViewOnlyObjectMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "kind", "language")
    search_fields = ("=key", "recipient", "subject", "customer__email")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = (retry_now,)
    readonly_fields = [
        *(f.name for f in OutboxMessage._meta.fields if f.name != "customer"),
        "customer",
        "attachment_links",
    ]
    raw_id_fields = ("customer",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body_text", "body_html")

    @admin.display(description=pgettext_lazy("outbox", "last error"))
    def short_error(self, message: OutboxMessage) -> str:
        return message.last_error[:80]

    @admin.display(description=pgettext_lazy("outbox", "attachments"))
    def attachment_links(self, message: OutboxMessage) -> str:
        rows = message.attachments.only("pk", "filename").order_by("pk")
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a>',
            (
                (reverse("admin:notifications_outbox_attachment", args=[a.pk]), a.filename)
                for a in rows
            ),
        )

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notifications.retry_message")

    def get_urls(self):
        view = self.admin_site.admin_view(self.download_attachment)
        return [
            path(
                "attachment/<int:attachment_id>/",
                view,
                name="notifications_outbox_attachment",
            ),
            *super().get_urls(),
        ]

    def download_attachment(self, request: HttpRequest, attachment_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        attachment = get_object_or_404(OutboxAttachment, pk=attachment_id)
        response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
        response["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
        return response
