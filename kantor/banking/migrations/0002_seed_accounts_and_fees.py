"""DEP-1: default client-money accounts (the test fixtures' ING accounts for PLN
and EUR; placeholders for the rest); WD-3: the SPEC's fee table. Both are data
the operator edits in the back office."""

from django.db import migrations

ACCOUNTS = [
    ("PLN", "PL46105010383616090881330367"),
    ("EUR", "PL58105010383279248019632235"),
    ("USD", "PL95105010381111222233330100"),
    ("GBP", "PL14105010381111222233330200"),
    ("CHF", "PL30105010381111222233330300"),
]


def seed(apps, schema_editor):
    OperatorAccount = apps.get_model("banking", "OperatorAccount")
    WithdrawalFee = apps.get_model("banking", "WithdrawalFee")
    for cur, iban in ACCOUNTS:
        OperatorAccount.objects.get_or_create(
            iban=iban,
            defaults={
                "currency": cur,
                "bic": "INGBPLPW",
                "bank_name": "ING Bank Śląski S.A.",
                "recipient_name": "Kantor sp. z o.o.",
                "recipient_address": "ul. Marszałkowska 100, 00-026 Warszawa",
                "recipient_nip": "",
            },
        )
    if WithdrawalFee.objects.exists():
        return
    from kantor.domain.fees import ANY_CURRENCY, DEFAULT_WITHDRAWAL_FEE_TABLE

    for position, rule in enumerate(DEFAULT_WITHDRAWAL_FEE_TABLE):
        WithdrawalFee.objects.create(
            banks=",".join(sorted(rule.banks)),
            currency=rule.currency or ANY_CURRENCY,
            fee_pln=rule.fee_pln.amount,
            label=rule.label,
            position=position,
        )


class Migration(migrations.Migration):
    dependencies = [("banking", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
