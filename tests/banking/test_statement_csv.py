from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kantor.banking.statements import Direction, StatementError, parse_csv, render_csv

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "account_iban,reference,booking_date,direction,amount,currency,title\n"
ROW = "PL46105010383616090881330367,R-1,2025-02-03,C,{amount},PLN,KND8NX4QMAQ9\n"


def _refuse(data: bytes | str) -> StatementError:
    with pytest.raises(StatementError) as err:
        parse_csv(data)
    return err.value


def test_staff_csv_semicolons_decimal_comma_and_bom_DEP_2():
    pln, eur = parse_csv((FIXTURES / "staff_manual.csv").read_bytes())
    assert pln.account_iban == "PL46105010383616090881330367"  # spaces removed
    assert pln.opening_balance is None and pln.closing_balance is None
    first, fee = pln.lines
    assert (first.bank_reference, first.amount, first.direction) == (
        "POTW/2025/0001",
        Decimal("1250.00"),
        Direction.CREDIT,
    )
    assert first.booking_date == date(2025, 2, 3)  # 03.02.2025
    assert first.counterparty_name == "Grzegorz Brzęczyszczykiewicz"
    assert first.title == "Wpłata; tytuł KND8NX4QMAQ9"  # quoted delimiter
    assert first.counterparty_account == "PL62102010268172805693166101"
    assert fee.direction is Direction.DEBIT and fee.currency == "PLN"
    assert fee.counterparty_address is None and fee.value_date == fee.booking_date
    (usd,) = eur.lines
    assert usd.amount == Decimal("1234.56") and usd.value_date == date(2025, 2, 4)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.56", "1234.56"),
        ('"1234,56"', "1234.56"),
        ('"1,234.56"', "1234.56"),
        ("1 234.5", "1234.50"),
    ],
)
def test_staff_csv_amount_forms_MON_1(text, amount):
    (st,) = parse_csv(HEADER + ROW.format(amount=text))
    assert st.lines[0].amount == Decimal(amount)


def test_staff_csv_cp1250_is_read_DEP_2():
    text = HEADER.replace("title", "counterparty_name") + ROW.format(amount="1").replace(
        "KND8NX4QMAQ9", "Łucja Żądło"
    )
    (st,) = parse_csv(text.encode("cp1250"))
    assert st.lines[0].counterparty_name == "Łucja Żądło"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (HEADER + ROW.format(amount='"1,234"'), "INVALID_AMOUNT", 2),  # ambiguous: refused
        (HEADER + ROW.format(amount="-5"), "INVALID_AMOUNT", 2),
        (HEADER + ROW.format(amount="0"), "INVALID_AMOUNT", 2),
        (HEADER + ROW.format(amount="1e3"), "INVALID_AMOUNT", 2),
        (HEADER + ROW.format(amount="1") + ROW.format(amount="2"), "DUPLICATE_REFERENCE", 3),
        (HEADER + ROW.format(amount="1").replace("2025-02-03", "2025-02-30"), "INVALID_DATE", 2),
        (HEADER + ROW.format(amount="1").replace(",C,", ",X,"), "INVALID_FIELD", 2),
        (HEADER + ROW.format(amount="1").replace("PLN", "ZZZ"), "CURRENCY_NOT_SUPPORTED", 2),
        (HEADER + ROW.format(amount="1").replace("R-1", ""), "MISSING_VALUE", 2),
        (HEADER + ROW.format(amount="1").replace("PL46", "PL47"), "INVALID_ACCOUNT", 2),
        (HEADER + ROW.format(amount="1").rstrip("\n") + ",extra\n", "MALFORMED_ROW", 2),
        (HEADER.replace("amount", "ammount") + ROW.format(amount="1"), "INVALID_HEADER", 1),
        (HEADER, "NO_STATEMENTS", 2),
        ("", "NO_STATEMENTS", 1),
    ],
)
def test_staff_csv_errors_refuse_the_whole_file_with_line_DEP_6(text, code, line):
    err = _refuse(text)
    assert (err.code, err.line) == (code, line)


def test_staff_csv_template_is_what_render_writes_DEP_2():
    statements = parse_csv((FIXTURES / "staff_manual.csv").read_bytes())
    for delimiter in (";", ","):
        again = parse_csv(render_csv(statements, delimiter=delimiter))
        assert [st.lines for st in again] == [st.lines for st in statements]
