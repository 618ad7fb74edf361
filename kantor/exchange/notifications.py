"""LOCK-14: the e-mail confirming a rate-locked order, in Polish or English.

``003`` pkt 27: right after placing, the customer is told the locked rate,
the other parameters including the margin used, the amount due, the transfer
title, the operator's account number and the exact deadline. The message is
rendered from ``exchange/email/rate_lock_confirmed.<lang>.txt`` and sent with
``django.core.mail`` after the placing transaction commits (never from inside
a transaction that might still roll back).

Interim: the documents/notifications issue will replace the direct send with
the durable outbox with retries (DOC-3) and style the message; only
``send_rate_lock_confirmation``'s body changes then.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from kantor.api.formats import format_rate
from kantor.domain.calendar import to_warsaw
from kantor.domain.titles import display_title

from . import conf
from .models import RateLockOrder

log = logging.getLogger("kantor.exchange")

__all__ = ["rate_lock_confirmation", "send_rate_lock_confirmation"]

LANGUAGES = ("pl", "en")


def _language(customer) -> str:
    lang = str(getattr(customer, "language", "") or settings.LANGUAGE_CODE)[:2]
    return lang if lang in LANGUAGES else "pl"


def rate_lock_confirmation(order: RateLockOrder, lang: str | None = None) -> tuple[str, str]:
    """(subject, body) of the LOCK-14 e-mail for ``order``."""
    lang = lang or _language(order.customer)
    pair = order.currency_pair
    context = {
        "order": order,
        "pair": f"{pair.base.code}/{pair.quote.code}",
        "buying": order.side == "BUY",
        "amount": str(order.amount),
        "rate": format_rate(order.rate, pair),
        "mid": format_rate(order.mid, pair),
        "bid": format_rate(order.bid, pair),
        "ask": format_rate(order.ask, pair),
        "buy_margin": format_rate(order.mid - order.bid, pair),
        "sell_margin": format_rate(order.ask - order.mid, pair),
        "amount_due": str(order.amount_due),
        "proceeds": str(order.proceeds),
        "title": display_title(order.title),
        "operator_account": conf.operator_bank_account(order.due_currency),
        "deadline": to_warsaw(order.deadline),
        "placed_at": to_warsaw(order.placed_at),
        "payout_account": order.payout_account,
    }
    text = render_to_string(f"exchange/email/rate_lock_confirmed.{lang}.txt", context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def send_rate_lock_confirmation(order: RateLockOrder) -> None:
    """LOCK-14: queue the confirmation to go out once the placing commits."""
    order_id = order.pk

    def send() -> None:
        fresh = RateLockOrder.objects.select_related("customer").get(pk=order_id)
        subject, body = rate_lock_confirmation(fresh)
        send_mail(subject, body, None, [fresh.customer.email])

    transaction.on_commit(send)
