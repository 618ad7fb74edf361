"""WD-3: two fee rows for the same banks and currency make the lookup ambiguous.

The rows are first stored in the normal form the constraint compares
(``WithdrawalFee.normalise``: sorted bank numbers, an upper-case code or
``*``). A table that already holds such a pair is not guessed at: the
migration stops and names the rows, for the operator to fix in the back
office before migrating again.
"""

from django.db import migrations, models


def normalise(apps, schema_editor):
    WithdrawalFee = apps.get_model("banking", "WithdrawalFee")
    seen: dict[tuple[str, str], int] = {}
    clashes = []
    for row in WithdrawalFee.objects.order_by("pk"):
        banks = ",".join(sorted({b.strip() for b in row.banks.split(",") if b.strip()}))
        code = row.currency.strip().upper() or "*"
        if (banks, code) in seen:
            clashes.append(
                f"#{seen[(banks, code)]} and #{row.pk} ({banks or 'other banks'}, {code})"
            )
            continue
        seen[(banks, code)] = row.pk
        if (row.banks, row.currency) != (banks, code):
            WithdrawalFee.objects.filter(pk=row.pk).update(banks=banks, currency=code)
    if clashes:
        raise RuntimeError(
            "WD-3: the withdrawal fee table has rows for the same banks and currency: "
            + "; ".join(clashes)
            + ". Delete or change one of each pair in the back office, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [("banking", "0002_seed_accounts_and_fees")]

    operations = [
        migrations.RunPython(normalise, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="withdrawalfee",
            constraint=models.UniqueConstraint(
                fields=("banks", "currency"),
                name="banking_withdrawal_fee_unique_banks_currency",
                violation_error_message=(
                    "Another row already sets the fee for these banks and this currency."
                ),
            ),
        ),
    ]
