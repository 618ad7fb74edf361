"""DOC-3: the language a customer's messages and documents are written in.

Customers have no language of their own yet (the panel's choice lives in the
session only), so every message is in the site's default language, Polish.
When ``Customer`` gains a ``language`` field, it is picked up here: this is
the one place that decides.
"""

from __future__ import annotations

from django.conf import settings

__all__ = ["LANGUAGES", "customer_language", "supported"]

#: Languages messages and documents are written in; the first is the fallback.
LANGUAGES = ("pl", "en")


def supported(lang: str | None) -> str:
    """``lang`` reduced to a language we write in (``"en-gb"`` → ``"en"``), else Polish."""
    code = str(lang or "")[:2].lower()
    return code if code in LANGUAGES else LANGUAGES[0]


def customer_language(customer) -> str:
    return supported(getattr(customer, "language", "") or settings.LANGUAGE_CODE)
