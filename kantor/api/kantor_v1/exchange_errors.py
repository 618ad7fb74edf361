"""How the exchange app's refusals reach an API client (API-1, API-4).

The exchange app and the rate-lock rules raise exceptions with a stable
``code``. A client of the Walutomat-compatible API branches on the
reference's error keys, so each code is answered under the nearest reference
key (``kantor.exchange.errors.api_key_for``) with the precise code as
``errorData`` ``reason``. Codes that already are reference keys
(INSUFFICIENT_FUNDS, CURRENCY_NOT_SUPPORTED, ...) pass through the framework
unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from kantor.exchange.errors import api_key_for

from ..errors import ApiError, ErrorKey

__all__ = ["translated", "translating"]

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def translating() -> Iterator[None]:
    """Inside the block, exchange refusals become ``ApiError``s; anything else passes.

    A context manager rather than a view decorator: ninja reads a view's
    annotations in the view's own module.
    """
    try:
        yield
    except ApiError:
        raise
    except Exception as exc:
        key = api_key_for(exc)
        if key is None:
            raise
        data = {"reason": exc.code, **(getattr(exc, "error_data", None) or {})}  # type: ignore[attr-defined]
        raise ApiError(ErrorKey(key), str(exc), data) from exc


def translated(fn: F) -> F:
    """``fn`` with ``translating`` around it (for ``submit``'s execute/preview)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with translating():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
