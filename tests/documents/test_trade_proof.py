"""The proof of purchase and sale of a market trade (DOC-1, MKT-10; ``002`` §26.2)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from kantor.documents.conf import OperatorIdentity, operator_identity
from kantor.documents.trade_proof import (
    NotAParty,
    proof_filename,
    render_trade_proof,
    trade_proof,
)
from kantor.domain.money import Money
from tests.factories import make_customer


def pdf_text(data: bytes) -> str:
    """The text of every page, with runs of whitespace as single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_trade_is_booked_to_the_grosz_as_the_proof_states_it_MKT_10(traded):
    """33.33 EUR × 4.3333 = 144.428889 PLN: the buyer pays 144.43 (up), the seller
    gets 144.42 (down, MON-2); FEE-1 0.2 % of what each receives, rounded up."""
    trade = traded.trade
    buy = trade_proof(trade, traded.buyer)
    assert (buy.sold, buy.bought) == (Money("144.43", "PLN"), Money("33.33", "EUR"))
    assert buy.commission == Money("0.07", "EUR") and buy.net == Money("33.26", "EUR")
    sell = trade_proof(trade, traded.seller)
    assert (sell.sold, sell.bought) == (Money("33.33", "EUR"), Money("144.42", "PLN"))
    assert sell.commission == Money("0.29", "PLN") and sell.net == Money("144.13", "PLN")
    # ... which is what the orders say they got.
    assert buy.net.minor == traded.buy.bought_minor - traded.buy.commission_minor
    assert sell.net.minor == traded.sell.bought_minor - traded.sell.commission_minor


def test_the_buyers_proof_in_polish_names_everything_DOC_1(traded):
    proof = trade_proof(traded.trade, traded.buyer)
    text = pdf_text(render_trade_proof(proof, "pl"))
    operator = operator_identity()
    for expected in (
        "Potwierdzenie kupna i sprzedaży",
        f"Nr {proof.number}",
        operator.name,  # from the operator's client-account data
        operator.address,
        "Zażółć Gęślą-Jaźń",  # Polish characters render (embedded DejaVu Sans)
        "ul. Źródlana 5 m. 7",
        "90-001 Łódź",
        f"Nr klienta {traded.buyer.pk:06d}",
        f"Nr transakcji {traded.trade.pk}",
        str(traded.buy.order_id),
        "2026-03-02 10:00:00 (czas polski)",  # Europe/Warsaw
        "EUR/PLN",
        "kupno EUR za PLN",
        "4,3333 PLN za 1 EUR",
        "Sprzedano 144,43 PLN",
        "Kupiono 33,33 EUR",
        "Prowizja 0,07 EUR",
        "Otrzymano netto 33,26 EUR",
    ):
        assert expected in text, expected


def test_the_sellers_proof_in_english_names_the_company_DOC_1(traded):
    proof = trade_proof(traded.trade, traded.seller)
    text = pdf_text(render_trade_proof(proof, "en"))
    for expected in (
        "Proof of purchase and sale",
        "Przedsiębiorstwo Handlowe „Żuraw” sp. z o.o.",
        f"NIP {traded.seller.nip}",
        "REGON 123456785",
        "sale of EUR for PLN",
        "4.3333 PLN per 1 EUR",
        "Sold 33.33 EUR",
        "Bought 144.42 PLN",
        "Commission 0.29 PLN",
        "Received, net of commission 144.13 PLN",
        "2026-03-02 10:00:00 (Polish time)",
    ):
        assert expected in text, expected
    assert proof.number.endswith("-S") and proof_filename(proof, "en").endswith(".pdf")


def test_the_same_proof_gives_the_same_bytes_with_the_font_embedded_DOC_1(traded):
    proof = trade_proof(traded.trade, traded.buyer)
    first = render_trade_proof(proof, "pl")
    assert first.startswith(b"%PDF-") and first == render_trade_proof(proof, "pl")
    assert b"+DejaVuSans" in first  # a subset, embedded


def test_the_operator_on_the_proof_comes_from_settings_when_set_DOC_1(traded, settings):
    settings.KANTOR_OPERATOR_NAME = "Kantor Wymiany Walut S.A."
    settings.KANTOR_OPERATOR_ADDRESS = "ul. Złota 44, 00-120 Warszawa"
    settings.KANTOR_OPERATOR_NIP = "5260250995"
    settings.KANTOR_OPERATOR_REGISTRATION = "KRS 0000012345, instytucja płatnicza IP12/2026"
    assert operator_identity() == OperatorIdentity(
        "Kantor Wymiany Walut S.A.",
        "ul. Złota 44, 00-120 Warszawa",
        "5260250995",
        "KRS 0000012345, instytucja płatnicza IP12/2026",
    )
    text = pdf_text(render_trade_proof(trade_proof(traded.trade, traded.buyer), "pl"))
    assert "Kantor Wymiany Walut S.A." in text and "NIP 5260250995" in text
    assert "instytucja płatnicza IP12/2026" in text


def test_a_customer_who_did_not_trade_has_no_proof_DOC_1(traded):
    with pytest.raises(NotAParty):
        trade_proof(traded.trade, make_customer())
