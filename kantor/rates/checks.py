"""System checks: a mistyped ``KANTOR_RATE_SOURCE`` fails at start, not at the first tick."""

from __future__ import annotations

from django.core.checks import Error, register

from .errors import RateSourceConfigError


@register()
def rate_source_configured(app_configs, **kwargs) -> list[Error]:
    from .jobs import rate_source_mode

    try:
        rate_source_mode()
    except RateSourceConfigError as exc:
        return [Error(str(exc), id="rates.E001")]
    return []
