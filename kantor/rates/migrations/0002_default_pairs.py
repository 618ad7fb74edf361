"""MON-3: the nine pairs offered by default, with standard margins (RATE-1).

Margins are fractions of the mid: 0.0025 (0.25 %) on each side is a typical
online-kantor spread; the operator edits them in the back office. The list
is written out here (not imported) so the migration never changes meaning.
"""

from decimal import Decimal

from django.db import migrations

DEFAULT_PAIRS = [
    ("EUR", "PLN"),
    ("USD", "PLN"),
    ("GBP", "PLN"),
    ("CHF", "PLN"),
    ("EUR", "USD"),
    ("EUR", "GBP"),
    ("EUR", "CHF"),
    ("USD", "CHF"),
    ("GBP", "USD"),
]
STANDARD_MARGIN = Decimal("0.0025")


def seed(apps, schema_editor):
    OfferedPair = apps.get_model("rates", "OfferedPair")
    Margin = apps.get_model("rates", "Margin")
    for order, (base, quote) in enumerate(DEFAULT_PAIRS, start=1):
        pair, _ = OfferedPair.objects.get_or_create(
            code=f"{base}{quote}",
            defaults={
                "base": base,
                "quote": quote,
                "rate_decimals": 4,
                "enabled": True,
                "display_order": order * 10,
            },
        )
        Margin.objects.get_or_create(
            pair=pair,
            segment="standard",
            defaults={"bid_margin": STANDARD_MARGIN, "ask_margin": STANDARD_MARGIN},
        )


def unseed(apps, schema_editor):
    OfferedPair = apps.get_model("rates", "OfferedPair")
    codes = [f"{base}{quote}" for base, quote in DEFAULT_PAIRS]
    OfferedPair.objects.filter(code__in=codes, mids__isnull=True, published__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("rates", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
