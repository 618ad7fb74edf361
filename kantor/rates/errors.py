"""Errors of the rates app, each with a stable code the API and panel map.

``PairNotOffered`` shares Walutomat's ``CURRENCY_NOT_SUPPORTED`` key so the
API can pass it through unchanged (API-1).
"""

from __future__ import annotations

__all__ = [
    "ConflictingMid",
    "NoRateForPair",
    "PairNotOffered",
    "RateSourceConfigError",
    "RateSourceError",
    "RatesError",
]


class RatesError(Exception):
    code = "RATES_ERROR"


class PairNotOffered(RatesError):
    """MON-3: the operator does not offer this pair, or it is not a pair at all."""

    code = "CURRENCY_NOT_SUPPORTED"


class NoRateForPair(RatesError):
    """RATE-1: no rate (mid or published) exists for the pair at that moment."""

    code = "NO_RATE_FOR_PAIR"


class RateSourceError(RatesError):
    """A rate source's data is unusable; says which file and which element."""

    code = "RATE_SOURCE_INVALID"

    def __init__(self, message: str, *, file: str = "", element: str = ""):
        where = ": ".join(part for part in (file, element) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.element = element
        self.reason = message


class ConflictingMid(RateSourceError):
    """RATE-1: history is append-only; a source gave another mid for a stored ts."""

    code = "RATE_CONFLICT"


class RateSourceConfigError(RatesError):
    """``settings.KANTOR_RATE_SOURCE`` names no known source."""

    code = "RATE_SOURCE_CONFIG"
