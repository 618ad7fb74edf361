"""Back office (RATE-1): the operator edits pairs and margins; history is read-only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from kantor.core.models import AuditLog
from kantor.rates.models import Margin, MidRate, OfferedPair


@pytest.fixture
def staff(client, db):
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw")
    client.force_login(user)
    return user


def _get(client, url):
    return client.get(url, secure=True)


def test_margins_are_edited_in_the_back_office_and_remember_who_RATE_1(client, staff):
    margin = Margin.objects.get(pair__code="EURPLN", segment="standard")
    url = reverse("admin:rates_margin_change", args=[margin.pk])
    assert _get(client, url).status_code == 200
    answer = client.post(
        url,
        {
            "pair": margin.pair_id,
            "segment": "standard",
            "bid_margin": "0.0030",
            "ask_margin": "0.0020",
        },
        secure=True,
    )
    assert answer.status_code == 302
    margin.refresh_from_db()
    assert (margin.bid_margin, margin.ask_margin, margin.updated_by) == (
        Decimal("0.0030"),
        Decimal("0.0020"),
        staff,
    )
    entry = AuditLog.objects.get(action="rates.margin_saved")
    assert (entry.actor, entry.object_id) == (staff, str(margin.pk))
    assert entry.details["before"] == {"bid_margin": "0.002500", "ask_margin": "0.002500"}
    assert (entry.details["bid_margin"], entry.details["via"]) == ("0.0030", "admin")


def test_a_margin_above_ten_percent_is_refused_by_the_form_RATE_1(client, staff):
    margin = Margin.objects.get(pair__code="EURPLN", segment="standard")
    answer = client.post(
        reverse("admin:rates_margin_change", args=[margin.pk]),
        {"pair": margin.pair_id, "segment": "standard", "bid_margin": "0.5", "ask_margin": "0.002"},
        secure=True,
    )
    assert answer.status_code == 200  # the form again, with the error
    margin.refresh_from_db()
    assert margin.bid_margin == Decimal("0.0025")


def test_pairs_are_configured_in_the_back_office_MON_3(client, staff):
    assert _get(client, reverse("admin:rates_offeredpair_changelist")).status_code == 200
    answer = client.post(
        reverse("admin:rates_offeredpair_add"),
        {
            "base": "EUR",
            "quote": "CZK",
            "rate_decimals": "3",
            "enabled": "on",
            "display_order": "100",
            "margins-TOTAL_FORMS": "1",
            "margins-INITIAL_FORMS": "0",
            "margins-MIN_NUM_FORMS": "0",
            "margins-MAX_NUM_FORMS": "1000",
            "margins-0-segment": "standard",
            "margins-0-bid_margin": "0.004",
            "margins-0-ask_margin": "0.004",
        },
        secure=True,
    )
    assert answer.status_code == 302
    pair = OfferedPair.objects.get(code="EURCZK")
    assert pair.rate_decimals == 3
    assert pair.margins.get().updated_by == staff
    assert {e.action for e in AuditLog.objects.filter(actor=staff)} == {
        "rates.pair_saved",
        "rates.margin_saved",
    }
    page = _get(client, reverse("admin:rates_offeredpair_change", args=[pair.pk]))
    assert 'name="base"' not in page.content.decode()  # currencies are fixed once created


def test_a_pair_of_an_unknown_currency_is_refused_MON_3(client, staff):
    answer = client.post(
        reverse("admin:rates_offeredpair_add"),
        {
            "base": "XXX",
            "quote": "PLN",
            "rate_decimals": "4",
            "display_order": "1",
            "margins-TOTAL_FORMS": "0",
            "margins-INITIAL_FORMS": "0",
        },
        secure=True,
    )
    assert answer.status_code == 200
    assert not OfferedPair.objects.filter(code="XXXPLN").exists()


def test_mid_history_is_read_only_RATE_1(client, staff, table):
    row = MidRate.objects.first()
    assert _get(client, reverse("admin:rates_midrate_changelist")).status_code == 200
    assert _get(client, reverse("admin:rates_midrate_add")).status_code == 403
    page = _get(client, reverse("admin:rates_midrate_change", args=[row.pk]))
    assert page.status_code == 200 and 'name="mid"' not in page.content.decode()
    assert _get(client, reverse("admin:rates_midrate_delete", args=[row.pk])).status_code == 403
    assert _get(client, reverse("admin:rates_publishedrate_changelist")).status_code == 200
    assert _get(client, reverse("admin:rates_publishedrate_add")).status_code == 403


def test_disabling_a_pair_from_the_list_is_audited_MON_3(client, staff):
    pairs = list(OfferedPair.objects.all())
    data = {
        "form-TOTAL_FORMS": str(len(pairs)),
        "form-INITIAL_FORMS": str(len(pairs)),
        "_save": "Save",
    }
    for i, pair in enumerate(pairs):
        data[f"form-{i}-id"] = str(pair.pk)
        data[f"form-{i}-display_order"] = str(pair.display_order)
        if pair.code != "GBPUSD":
            data[f"form-{i}-enabled"] = "on"
    answer = client.post(reverse("admin:rates_offeredpair_changelist"), data, secure=True)
    assert answer.status_code == 302
    assert not OfferedPair.objects.get(code="GBPUSD").enabled
    entry = AuditLog.objects.get(action="rates.pair_saved", object_repr="GBP/USD")
    assert entry.details["enabled"] is False
