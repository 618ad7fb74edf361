from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kantor.banking.statements import Direction, StatementError, parse_mt940
from kantor.domain.titles import find_titles

FIXTURES = Path(__file__).parent / "fixtures"


def _load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _refuse(data: bytes | str) -> StatementError:
    with pytest.raises(StatementError) as err:
        parse_mt940(data)
    return err.value


MINIMAL = """:20:ST250105
:25:PL46105010383616090881330367
:28C:5/1
:60F:C250104PLN100,00
:61:2501050105CN23,45N525NONREF//REF1
:86:Przelew od JAN NOWAK tytul KND8NX4QMAQ9
:62F:C250105PLN123,45
-
"""


def test_mt940_polish_tilde_format_in_cp1250_DEP_2():
    pln, _eur = parse_mt940(_load("mt940_ing_tilde_cp1250.sta"))
    assert (pln.statement_id, pln.account_iban, pln.currency) == (
        "MT940/00001/00001",
        "PL46105010383616090881330367",
        "PLN",
    )
    assert (pln.opening_balance, pln.closing_balance) == (
        Decimal("100000.00"),
        Decimal("115839.45"),
    )
    deposit = pln.lines[0]
    assert deposit.bank_reference == "2501020001"
    assert deposit.counterparty_name == "JAN KOWALSKI"
    assert deposit.counterparty_address == "UL. KWIATOWA 12/4 00-950 WARSZAWA"
    # ~30 sorting code + ~31 account number → a full PL IBAN
    assert deposit.counterparty_account == "PL62102010268172805693166101"
    assert [t.title for t in find_titles(deposit.title)] == ["KND8NX4QMAQ9"]
    assert deposit.title.startswith("Zasilenie rachunku w kantorze")  # 27-char part joined
    assert ":86:525~00VE02PRZELEW PRZYCHODZĄCY" in deposit.raw


def test_mt940_booking_date_year_follows_value_date_across_new_year_DEP_2():
    deposit = parse_mt940(_load("mt940_ing_tilde_cp1250.sta"))[0].lines[0]
    assert deposit.value_date == date(2024, 12, 31)
    assert deposit.booking_date == date(2025, 1, 2)


def test_mt940_name_cut_mid_word_across_sub_fields_is_joined_DEP_3():
    company = parse_mt940(_load("mt940_ing_tilde_cp1250.sta"))[0].lines[1]
    assert company.counterparty_name == "ZAKŁAD USŁUG KSIĘGOWYCH BILANS SP. Z O.O."
    assert company.counterparty_address == "UL. PIOTRKOWSKA 104 90-926 ŁÓDŹ"
    assert company.counterparty_account == "PL66124010371974792587876196"


def test_mt940_debits_fees_and_reversals_DEP_2():
    lines = parse_mt940(_load("mt940_ing_tilde_cp1250.sta"))[0].lines
    payout, fee, storno = lines[2], lines[3], lines[4]
    assert payout.direction is Direction.DEBIT and payout.amount == Decimal("2150.55")
    assert fee.direction is Direction.DEBIT and fee.counterparty_name == ""
    assert storno.reversal and storno.direction is Direction.CREDIT  # RD: reversal of a debit
    assert payout.transaction_code == "N641"


def test_mt940_second_statement_in_foreign_currency_DEP_1():
    eur = parse_mt940(_load("mt940_ing_tilde_cp1250.sta"))[1]
    assert eur.currency == "EUR" and eur.lines[0].currency == "EUR"
    assert eur.lines[0].counterparty_name == "Anna Nowak-Wiśniewska"


def test_mt940_caret_sub_fields_with_swift_envelope_in_utf8_DEP_2():
    (st,) = parse_mt940(_load("mt940_bnp_caret.sta"))
    assert st.statement_id == "1/036/2025/BPL"
    deposit, fee = st.lines
    assert deposit.counterparty_name == "Ewa Lewandowska"
    assert deposit.counterparty_address == "ul. Długa 1 80-831 Gdańsk"
    assert deposit.counterparty_account == "PL90114020045809183313901285"  # wrapped line
    assert [t.title for t in find_titles(deposit.title)] == ["KNRQPWGBBGFE"]
    # no bank reference: a composite key from statement id, date and position
    assert fee.bank_reference == "1/036/2025/BPL|20250310|2"


def test_mt940_same_file_gives_same_keys_DEP_2():
    data = _load("mt940_ing_tilde_cp1250.sta")
    assert parse_mt940(data) == parse_mt940(data)


def test_mt940_repeated_bank_reference_gets_composite_keys_DEP_2():
    text = MINIMAL.replace(
        ":62F:C250105PLN123,45", ":61:2501050105CN1,00N525NONREF//REF1\n:62F:C250105PLN124,45"
    )
    (st,) = parse_mt940(text)
    assert [line.bank_reference for line in st.lines] == [
        "ST250105/5/1|20250105|1|REF1",
        "ST250105/5/1|20250105|2|REF1",
    ]


def test_mt940_unstructured_details_become_the_title_DEP_2():
    (st,) = parse_mt940(MINIMAL)
    assert st.lines[0].title == "Przelew od JAN NOWAK tytul KND8NX4QMAQ9"
    assert st.lines[0].bank_reference == "REF1"


def test_mt940_utf8_cp1250_and_latin2_decode_alike_DEP_2():
    text = MINIMAL.replace("JAN NOWAK", "ŁUCJA ŚWIĄTEK-ŹDZIEBŁO")
    expected = parse_mt940(text)
    for encoding in ("utf-8", "cp1250", "iso-8859-2"):
        assert parse_mt940(text.encode(encoding)) == expected


def test_mt940_balance_mismatch_refuses_the_whole_file_DEP_6():
    err = _refuse(_load("mt940_bad_balance.sta"))
    assert err.code == "BALANCE_MISMATCH" and err.line == 37


def test_mt940_truncated_file_is_refused_DEP_6():
    err = _refuse(_load("mt940_truncated.sta"))
    assert err.code == "TRUNCATED" and err.line is not None


@pytest.mark.parametrize(
    ("broken", "code", "line"),
    [
        (MINIMAL.replace(":61:2501050105CN23,45", ":61:2501050105XN23,45"), "INVALID_FIELD", 5),
        (MINIMAL.replace("23,45N525", "23,456N525"), "INVALID_AMOUNT", 5),
        (MINIMAL.replace(":60F:C250104PLN", ":60F:C250104XYZ"), "CURRENCY_NOT_SUPPORTED", 4),
        (MINIMAL.replace(":62F:C250105PLN", ":62F:C250105EUR"), "CURRENCY_MISMATCH", 7),
        (
            MINIMAL.replace("PL46105010383616090881330367", "PL00105010383616090881330367"),
            "INVALID_ACCOUNT",
            2,
        ),
        (MINIMAL.replace(":60F:C250104", ":60F:C251304"), "INVALID_DATE", 4),
        (MINIMAL.replace(":25:PL46105010383616090881330367\n", ""), "MISSING_FIELD", 1),
        (MINIMAL.replace(":28C:5/1", ":99:odd"), "UNEXPECTED_FIELD", 3),
        ("garbage before\n" + MINIMAL, "UNEXPECTED_TEXT", 1),
        ("", "NO_STATEMENTS", 1),
    ],
)
def test_mt940_malformed_input_is_refused_with_line_number_DEP_6(broken, code, line):
    err = _refuse(broken)
    assert (err.code, err.line) == (code, line)


def test_mt940_one_bad_statement_refuses_the_good_ones_too_DEP_6():
    good = _load("mt940_ing_tilde_cp1250.sta")
    assert _refuse(good + b":20:X\r\n:25:PL46105010383616090881330367\r\n").code == "MISSING_FIELD"


def test_mt940_account_with_currency_suffix_and_bare_nrb_DEP_1():
    for account in (
        "/PL46105010383616090881330367/PLN",
        "46105010383616090881330367",
        "PL46 1050 1038 3616 0908 8133 0367 PLN",
    ):
        (st,) = parse_mt940(MINIMAL.replace("PL46105010383616090881330367", account))
        assert st.account_iban == "PL46105010383616090881330367"


def test_mt940_mbank_block_marks_and_angle_bracket_sub_fields_DEP_2():
    text = MINIMAL.replace(
        ":86:Przelew od JAN NOWAK tytul KND8NX4QMAQ9",
        ":86:020<00PRZELEW<20KND8NX4QMAQ9<32JAN NOWAK<38PL62102010268172805693166101",
    ).replace("-\n", "")
    (st,) = parse_mt940("\x01" + text + "\x03")
    line = st.lines[0]
    assert (line.title, line.counterparty_name) == ("KND8NX4QMAQ9", "JAN NOWAK")
    assert line.counterparty_account == "PL62102010268172805693166101"
