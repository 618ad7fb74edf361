from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kantor.banking.statements import Direction, StatementError, parse_camt053
from kantor.domain.titles import find_titles

FIXTURES = Path(__file__).parent / "fixtures"


def _load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _refuse(data: bytes) -> StatementError:
    with pytest.raises(StatementError) as err:
        parse_camt053(data)
    return err.value


def test_camt053_reads_every_booked_entry_with_party_and_title_DEP_2():
    pln, _eur = parse_camt053(_load("camt053_ing_v02.xml"))
    assert (pln.statement_id, pln.account_iban, pln.currency) == (
        "PLN-2025-0007",
        "PL46105010383616090881330367",
        "PLN",
    )
    assert (pln.opening_balance, pln.closing_balance) == (
        Decimal("150000.00"),
        Decimal("165839.45"),
    )
    assert len(pln.lines) == 5  # the pending entry is not a booked line
    deposit = pln.lines[0]
    assert deposit.bank_reference == "202501070000123456"
    assert deposit.account_iban == pln.account_iban
    assert deposit.direction is Direction.CREDIT and deposit.amount == Decimal("5000.00")
    assert deposit.booking_date == deposit.value_date == date(2025, 1, 7)
    assert deposit.counterparty_name == "JAN KOWALSKI"
    assert deposit.counterparty_address == "UL. KWIATOWA 12/4 00-950 WARSZAWA"
    assert deposit.counterparty_account == "PL62102010268172805693166101"
    assert [t.title for t in find_titles(deposit.title)] == ["KND8NX4QMAQ9"]
    assert "<AcctSvcrRef>202501070000123456</AcctSvcrRef>" in deposit.raw


def test_camt053_structured_address_and_35_character_title_parts_DEP_2():
    company = parse_camt053(_load("camt053_ing_v02.xml"))[0].lines[1]
    assert company.counterparty_address == "ul. Piotrkowska 104, 90-926 Łódź, PL"
    assert company.title == "WPŁATA NA ZAKUP EUR TYTUŁ KNDES52XG47C"


def test_camt053_payout_counterparty_is_the_creditor_DEP_2():
    payout = parse_camt053(_load("camt053_ing_v02.xml"))[0].lines[2]
    assert payout.direction is Direction.DEBIT
    assert payout.counterparty_name == "MAŁGORZATA ŻÓŁKIEWSKA"
    assert payout.counterparty_account == "PL58116022029059353889424545"


def test_camt053_returned_payment_is_flagged_with_reason_WD_4():
    returned = parse_camt053(_load("camt053_ing_v02.xml"))[0].lines[3]
    assert returned.returned and returned.return_reason == "AC04"
    assert returned.direction is Direction.CREDIT
    assert returned.transaction_code == "PMNT/RCDT/RRTN"
    assert not any(line.returned for line in parse_camt053(_load("camt053_ing_v02.xml"))[1].lines)


def test_camt053_fee_without_details_takes_title_from_additional_info_DEP_2():
    fee = parse_camt053(_load("camt053_ing_v02.xml"))[0].lines[4]
    assert fee.title == "Opłata za przelew ekspresowy" and fee.transaction_code == "PROWIZJA"
    assert fee.counterparty_name == "" and fee.counterparty_address is None


def test_camt053_foreign_currency_payment_is_booked_in_account_currency_DEP_2():
    eur = parse_camt053(_load("camt053_ing_v02.xml"))[1]
    usd_payment = eur.lines[0]
    assert (usd_payment.currency, usd_payment.amount) == ("EUR", Decimal("920.60"))
    assert usd_payment.value_date == date(2025, 1, 8)
    assert usd_payment.counterparty_account == "DE89370400440532013000"
    assert usd_payment.title == "KNDB4CYW7KR6"  # structured creditor reference


def test_camt053_batch_entry_becomes_one_line_per_transaction_DEP_2():
    eur = parse_camt053(_load("camt053_ing_v02.xml"))[1]
    parts = eur.lines[1:]
    assert [(p.bank_reference, p.amount) for p in parts] == [
        ("EU250107000901", Decimal("300.00")),
        ("EU250107000902", Decimal("125.00")),
    ]
    assert [p.counterparty_name for p in parts] == ["TOMASZ WÓJCIK", "EWA LEWANDOWSKA"]


def test_camt053_version_08_with_party_choice_and_status_code_DEP_2():
    (st,) = parse_camt053(_load("camt053_v08.xml"))
    assert st.opening_balance == Decimal("-50.00")
    (line,) = st.lines
    assert line.counterparty_name == "NOWAK JAN I ANNA"
    assert line.counterparty_account == "PL62102010268172805693166101"  # bare NRB gets PL
    assert line.booking_date == date(2025, 3, 10)  # from DtTm


def test_camt053_parse_is_stable_for_idempotent_import_DEP_2():
    first = parse_camt053(_load("camt053_ing_v02.xml"))
    again = parse_camt053(_load("camt053_ing_v02.xml"))
    assert first == again
    keys = [line.bank_reference for st in first for line in st.lines]
    assert len(keys) == len(set(keys))


def test_camt053_refuses_external_entities_XXE():
    err = _refuse(_load("camt053_xxe.xml"))
    assert err.code == "XML_FORBIDDEN"


def test_camt053_refuses_entity_expansion_billion_laughs():
    err = _refuse(_load("camt053_billion_laughs.xml"))
    assert err.code == "XML_FORBIDDEN"


def test_camt053_truncated_file_is_refused_whole_with_line_DEP_6():
    err = _refuse(_load("camt053_truncated.xml"))
    assert err.code == "XML_MALFORMED" and err.line is not None


def test_camt053_balance_mismatch_is_refused_with_element_path_DEP_6():
    data = _load("camt053_ing_v02.xml").replace(b"165839.45", b"165839.44")
    err = _refuse(data)
    assert err.code == "BALANCE_MISMATCH"
    assert err.path == "Document/BkToCstmrStmt/Stmt[1]/Bal[2]"


def test_camt053_bad_amount_names_the_element_DEP_6():
    data = _load("camt053_ing_v02.xml").replace(b">2150.55<", b">2150.555<", 1)
    err = _refuse(data)
    assert err.code == "INVALID_AMOUNT"
    assert err.path == "Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt"


def test_camt053_entry_in_other_currency_than_account_is_refused_MON_1():
    data = _load("camt053_ing_v02.xml").replace(b'<Amt Ccy="EUR">425.00', b'<Amt Ccy="USD">425.00')
    assert _refuse(data).code == "CURRENCY_MISMATCH"


def test_camt053_unknown_currency_is_refused_MON_1():
    data = _load("camt053_ing_v02.xml").replace(b"<Ccy>EUR</Ccy>", b"<Ccy>XAU</Ccy>")
    assert _refuse(data).code == "CURRENCY_NOT_SUPPORTED"


def test_camt053_batch_parts_must_add_up_DEP_6():
    data = _load("camt053_ing_v02.xml").replace(b'<Amt Ccy="EUR">125.00', b'<Amt Ccy="EUR">124.00')
    assert _refuse(data).code == "BATCH_AMOUNT_MISMATCH"


def test_camt053_other_documents_are_refused():
    assert _refuse(b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>").code == (
        "UNSUPPORTED_FORMAT"
    )
    assert _refuse(b"not xml at all").code == "XML_MALFORMED"


def test_camt053_oversized_file_is_refused_before_parsing(monkeypatch):
    from kantor.banking.statements import camt053

    monkeypatch.setattr(camt053, "MAX_FILE_BYTES", 100)
    assert _refuse(_load("camt053_v08.xml")).code == "FILE_TOO_LARGE"
