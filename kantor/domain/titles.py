"""Transfer titles: the payment references customers copy into their bank (DEP-1, DEP-2).

A title must survive a customer retyping it and a bank reformatting it, and a
mangled title must be *detected*, never booked to somebody else. Hence:

Format — ``KN`` + purpose letter + 8 random symbols + 1 check symbol, 12
symbols, e.g. ``KND7H3K9QWXA`` (shown grouped as ``KND7 H3K9 QWXA``):

=========  =============================================  =========
prefix     purpose                                        rule
=========  =============================================  =========
``KND``    the customer's wallet deposit title            DEP-1
``KNT``    an order placed by transfer (exchange on       MKT-11
           deposit, no login)
``KNR``    a rate-locked order's amount due               LOCK-5
=========  =============================================  =========

Alphabet — the 31 symbols ``0-9`` and ``A-Z`` without ``I L O U Z``
(Crockford's base-32 idea, one symbol fewer): no pair of symbols can be
confused when read, and on input the usual confusions are folded back —
``O``→``0``, ``I``/``L``→``1``, ``Z``→``2`` — before the check is verified.
``U`` is simply absent (not folded) so that no real word hides in a title.

Check symbol — 31 is prime, so a weighted sum modulo 31 (ISO 7064 pure
system construction) with weights ``3**k`` (3 is a primitive root mod 31,
so the 11 weights are distinct and non-zero) detects *every* single-symbol
substitution and *every* transposition of two different symbols, adjacent
or not. The check covers the prefix too: a mangled purpose letter is caught.

Random symbols: 31**8 ≈ 8.5·10¹¹ titles per purpose. The caller supplies the
randomness (``secrets.SystemRandom()`` in production, a seeded ``Random`` in
tests); uniqueness is the database's job (a unique index, retry on clash).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = [
    "ALPHABET",
    "TITLE_LENGTH",
    "InvalidTitle",
    "ParsedTitle",
    "RandomSource",
    "TitlePurpose",
    "display_title",
    "find_titles",
    "generate_title",
    "is_valid",
    "normalise",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"
PREFIX = "KN"
BODY_LENGTH = 8
TITLE_LENGTH = len(PREFIX) + 1 + BODY_LENGTH + 1
_MODULUS = len(ALPHABET)
_WEIGHT_BASE = 3
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
#: Glyphs a human (or an OCR step) confuses with an alphabet symbol.
CONFUSIONS = {"O": "0", "I": "1", "L": "1", "Z": "2"}
#: Characters banks and customers insert inside a title; skipped when scanning.
SEPARATORS = frozenset(" \t\r\n\u00a0-‐‑‒–—./_:,;'\"`")

assert _MODULUS == 31 and len(_VALUE) == _MODULUS


class TitlePurpose(StrEnum):
    """The third symbol of a title says what it pays for."""

    DEPOSIT = "D"  # DEP-1: the customer's own deposit title
    ORDER = "T"  # MKT-11: order placed by transfer
    RATE_LOCK = "R"  # LOCK-5: rate-locked order

    @property
    def prefix(self) -> str:
        return PREFIX + self.value


_PURPOSES = {p.value: p for p in TitlePurpose}


class InvalidTitle(ValueError):
    """Text that is not a well-formed title, or whose check symbol fails."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class RandomSource(Protocol):
    def randrange(self, stop: int, /) -> int: ...


@dataclass(frozen=True, slots=True)
class ParsedTitle:
    """A verified title found in text; ``start``/``end`` index the source text."""

    title: str
    purpose: TitlePurpose
    start: int = 0
    end: int = 0


def _check_value(symbols: str) -> int:
    """Value of the check symbol that makes the weighted sum ≡ 0 (mod 31)."""
    n = len(symbols) + 1
    total = sum(_VALUE[ch] * pow(_WEIGHT_BASE, n - 1 - i, _MODULUS) for i, ch in enumerate(symbols))
    return (-total) % _MODULUS


def _verifies(canonical: str) -> bool:
    return _check_value(canonical[:-1]) == _VALUE[canonical[-1]]


def generate_title(purpose: TitlePurpose, rng: RandomSource) -> str:
    """A new title for ``purpose`` (DEP-1, MKT-11, LOCK-5); store it under a unique index."""
    body = "".join(ALPHABET[rng.randrange(_MODULUS)] for _ in range(BODY_LENGTH))
    stem = TitlePurpose(purpose).prefix + body
    return stem + ALPHABET[_check_value(stem)]


def _fold(ch: str) -> str:
    """Upper-case, strip diacritics, fold the confusable glyphs onto the alphabet."""
    up = unicodedata.normalize("NFKD", ch.upper())[:1]
    return CONFUSIONS.get(up, up)


def normalise(text: str) -> str:
    """The canonical form of one title typed or pasted by a person.

    Tolerates case, separators anywhere and the folded confusions; raises
    ``InvalidTitle`` (``INVALID_TITLE`` / ``TITLE_CHECK_FAILED``) otherwise.
    """
    folded = "".join(_fold(ch) for ch in str(text) if ch not in SEPARATORS)
    if len(folded) != TITLE_LENGTH or not folded.startswith(PREFIX):
        raise InvalidTitle("INVALID_TITLE", f"{text!r} is not a transfer title")
    if folded[2] not in _PURPOSES or any(ch not in _VALUE for ch in folded):
        raise InvalidTitle("INVALID_TITLE", f"{text!r} is not a transfer title")
    if not _verifies(folded):
        raise InvalidTitle("TITLE_CHECK_FAILED", f"{text!r}: check symbol does not match")
    return folded


def is_valid(text: str) -> bool:
    try:
        normalise(text)
    except InvalidTitle:
        return False
    return True


def display_title(title: str) -> str:
    """Grouped by four for deposit instructions; any grouping is read back."""
    canonical = normalise(title)
    return " ".join(canonical[i : i + 4] for i in range(0, TITLE_LENGTH, 4))


def find_titles(free_text: str) -> list[ParsedTitle]:
    """Every verified title inside a bank's transfer description (DEP-2).

    The text is scanned as a stream of significant characters: separators
    (spaces, dashes, dots, line breaks a bank inserts at fixed widths, ...)
    are skipped, case and confusable glyphs are folded. At each ``K N
    <purpose>`` the next 12 significant characters are a candidate, kept only
    when its check symbol verifies. Titles are returned once each, in order
    of first appearance.
    """
    stream: list[tuple[str, int]] = [
        (_fold(ch), i) for i, ch in enumerate(free_text) if ch not in SEPARATORS
    ]
    found: list[ParsedTitle] = []
    seen: set[str] = set()
    for k in range(len(stream) - TITLE_LENGTH + 1):
        if stream[k][0] != "K" or stream[k + 1][0] != "N":
            continue
        window = stream[k : k + TITLE_LENGTH]
        candidate = "".join(ch for ch, _ in window)
        if candidate[2] not in _PURPOSES or any(ch not in _VALUE for ch in candidate):
            continue
        if not _verifies(candidate) or candidate in seen:
            continue
        seen.add(candidate)
        found.append(
            ParsedTitle(
                title=candidate,
                purpose=_PURPOSES[candidate[2]],
                start=window[0][1],
                end=window[-1][1] + 1,
            )
        )
    return found
