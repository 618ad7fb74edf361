"""E-mail backends that fail as providers do, for DOC-3's retry tests."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    """The provider refuses every message (an outage)."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("provider unavailable")


class UnreachableBackend(BaseEmailBackend):
    """The provider cannot even be connected to."""

    def open(self):
        raise ConnectionRefusedError("connection refused")

    def send_messages(self, email_messages):  # pragma: no cover - never reached
        raise AssertionError("send without a connection")
