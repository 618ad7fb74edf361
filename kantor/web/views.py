"""The customer panel: thin views over the ledger's and customers' queries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kantor.banking.queries import deposit_instructions
from kantor.ledger.models import HistoryItem
from kantor.ledger.queries import customer_balances


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
            "history": HistoryItem.objects.filter(customer=customer)
            .select_related("transaction")
            .order_by("-id")[:10],
        },
    )


@login_required
def history(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    if customer is None:
        return redirect("admin:index")
    items = HistoryItem.objects.filter(customer=customer).order_by("-id")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "web/history.html", {"customer": customer, "page": page})
