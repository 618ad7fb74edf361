"""Bank statement parsers (DEP-2): camt.053, MT940 and the staff CSV.

The banking app calls one of the ``parse_*`` functions with the uploaded
bytes and gets ``list[Statement]`` or a ``StatementError`` — never a partial
result. ``render_*`` write the same model back (fixtures, the staff CSV
template, round-trip tests).
"""

from kantor.banking.statements.camt053 import parse_camt053
from kantor.banking.statements.model import (
    Direction,
    Statement,
    StatementError,
    StatementLine,
)
from kantor.banking.statements.mt940 import parse_mt940
from kantor.banking.statements.render import render_camt053, render_csv, render_mt940
from kantor.banking.statements.staff_csv import parse_csv

__all__ = [
    "Direction",
    "Statement",
    "StatementError",
    "StatementLine",
    "parse_camt053",
    "parse_csv",
    "parse_mt940",
    "render_camt053",
    "render_csv",
    "render_mt940",
]
