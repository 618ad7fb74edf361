"""The customer panel: thin views over the ledger's and customers' queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kantor.banking.queries import deposit_instructions
from kantor.customers.models import Customer
from kantor.ledger.models import HistoryItem
from kantor.ledger.operations import Operation
from kantor.ledger.queries import customer_balances
from kantor.market.queries import trade_ids_by_transaction


def _current_rates() -> list:
    from kantor.rates import queries
    from kantor.rates.errors import NoRateForPair

    rates = []
    for pair in queries.offered_pairs():
        try:
            rates.append(queries.current_rate(pair))
        except NoRateForPair:  # not published yet: the pair is left out
            continue
    return rates


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"rates": _current_rates()})


def _customer(request: HttpRequest):
    return getattr(request.user, "customer", None)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    if customer is None:  # staff without a customer account
        return redirect("admin:index")
    return render(
        request,
        "web/dashboard.html",
        {
            "customer": customer,
            "balances": customer_balances(customer),
            "bank_accounts": customer.bank_accounts.filter(is_active=True),
            "deposit_instructions": deposit_instructions(customer),
            "history": _with_trade_proofs(
                customer,
                HistoryItem.objects.filter(customer=customer)
                .select_related("transaction")
                .order_by("-id")[:10],
            ),
        },
    )


@login_required
def history(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    if customer is None:
        return redirect("admin:index")
    items = HistoryItem.objects.filter(customer=customer).select_related("transaction")
    page = Paginator(items.order_by("-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/history.html",
        {"customer": customer, "page": page, "items": _with_trade_proofs(customer, page)},
    )


def _with_trade_proofs(customer: Customer, items: Iterable[HistoryItem]) -> list[HistoryItem]:
    """DOC-1: each MARKET_FX line gets ``trade_id``, its trade's proof; one query."""
    items = list(items)
    market = [i for i in items if i.operation_detailed_type == Operation.MARKET_FX]
    trades = trade_ids_by_transaction(customer, [i.transaction for i in market]) if market else {}
    for item in market:
        item.trade_id = trades.get(item.transaction_id)
    return items
