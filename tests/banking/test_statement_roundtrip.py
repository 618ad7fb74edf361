"""DEP-2: what a statement says survives rendering and parsing in every format.

The import code relies on a parser returning exactly the bank's entries, so
random statements are rendered as MT940 (``~`` and ``^``; UTF-8, cp1250,
ISO-8859-2), camt.053 (.02 and .08) and the staff CSV, and parsed back.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kantor.banking.statements import (
    Direction,
    Statement,
    StatementLine,
    parse_camt053,
    parse_csv,
    parse_mt940,
    render_camt053,
    render_csv,
    render_mt940,
)
from kantor.banking.statements.model import polish_iban
from kantor.domain.money import CURRENCIES

_CHARS = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ąćęłńóśźżĄĆĘŁŃÓŚŹŻ.,-/()'&;:\""
)


@st.composite
def _text(draw, max_size: int) -> str:
    words = draw(st.lists(st.text(_CHARS, min_size=1, max_size=12), max_size=max_size // 4))
    return " ".join(words)[:max_size].strip()


_ibans = st.from_regex(r"[0-9]{24}", fullmatch=True).map(polish_iban)
_accounts = st.one_of(st.just(""), _ibans, st.from_regex(r"[0-9]{8,20}", fullmatch=True))


@st.composite
def _statements(draw, *, returns: bool = False) -> list[Statement]:
    count = draw(st.integers(1, 3))
    refs = iter(
        draw(
            st.lists(
                st.from_regex(r"[A-Z0-9]{1,16}", fullmatch=True),
                unique=True,
                min_size=15,
                max_size=15,
            )
        )
    )
    ids = draw(
        st.lists(
            st.from_regex(r"[A-Z0-9]{1,10}/[0-9]{1,5}", fullmatch=True),
            unique=True,
            min_size=3,
            max_size=3,
        )
    )
    out = []
    for n in range(count):
        iban = draw(_ibans)
        cur = draw(st.sampled_from(sorted(CURRENCIES)))
        day = draw(st.dates(date(2000, 1, 10), date(2079, 12, 20)))
        lines = []
        for _ in range(draw(st.integers(1, 5))):
            booked = day + timedelta(days=draw(st.integers(0, 3)))
            returned = returns and draw(st.booleans())
            lines.append(
                StatementLine(
                    bank_reference=next(refs),
                    account_iban=iban,
                    booking_date=booked,
                    value_date=booked + timedelta(days=draw(st.integers(-3, 3))),
                    amount=Decimal(draw(st.integers(1, 10**11))).scaleb(-2),
                    direction=draw(st.sampled_from(list(Direction))),
                    currency=cur,
                    counterparty_name=draw(_text(54)),
                    counterparty_address=draw(_text(135)) or None,
                    counterparty_account=draw(_accounts),
                    title=draw(_text(140)),
                    reversal=draw(st.booleans()),
                    returned=returned,
                    return_reason=draw(st.sampled_from([None, "AC04", "MS03"]))
                    if returned
                    else None,
                )
            )
        opening = Decimal(draw(st.integers(-(10**9), 10**12))).scaleb(-2)
        closing = opening + sum((line.signed_amount for line in lines), Decimal(0))
        out.append(
            Statement(
                statement_id=ids[n],
                account_iban=iban,
                currency=cur,
                opening_balance=opening,
                closing_balance=closing,
                lines=tuple(lines),
                opening_date=min(line.booking_date for line in lines),
                closing_date=max(line.booking_date for line in lines),
            )
        )
    return out


def _essential(statements: list[Statement], *, flags: bool = True) -> list[Statement]:
    """What a format carries: MT940 writes its own transaction type; CSV has no flags."""

    def line(x: StatementLine) -> StatementLine:
        x = replace(x, transaction_code="")
        return x if flags else replace(x, reversal=False, returned=False, return_reason=None)

    return [replace(s, lines=tuple(line(x) for x in s.lines)) for s in statements]


@settings(max_examples=60, deadline=None)
@given(
    _statements(), st.sampled_from(["~", "^"]), st.sampled_from(["utf-8", "cp1250", "iso-8859-2"])
)
def test_mt940_round_trip_DEP_2(statements, separator, encoding):
    data = render_mt940(statements, separator=separator).encode(encoding)
    assert _essential(parse_mt940(data)) == _essential(statements)


@settings(max_examples=60, deadline=None)
@given(_statements(returns=True), st.sampled_from(["02", "04", "08"]))
def test_camt053_round_trip_DEP_2(statements, version):
    assert parse_camt053(render_camt053(statements, version=version)) == statements


@settings(max_examples=60, deadline=None)
@given(_statements(), st.sampled_from([";", ","]))
def test_csv_round_trip_DEP_2(statements, delimiter):
    parsed = parse_csv(render_csv(statements, delimiter=delimiter))
    without_balances = [
        replace(s, opening_balance=None, closing_balance=None, opening_date=None, closing_date=None)
        for s in _essential(statements, flags=False)
    ]
    assert _essential(parsed, flags=False) == without_balances
