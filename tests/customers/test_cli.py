"""``kantor customer`` and ``kantor apikey`` (REG-1..3, REG-9, BANK-1, API-2).

Every kind of bad input ends in a ``CommandError`` naming the option, with
nothing written.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kantor.core.models import AuditLog
from kantor.customers.models import ApiKey, BankAccount, Customer, CustomerStatus
from tests.customers.data import IBAN_ERSTE, company_data, rsa_public_pem
from tests.factories import fund

pytestmark = pytest.mark.django_db

INDIVIDUAL = [
    "--kind", "individual",
    "--first-name", "Jan",
    "--last-name", "Nowak",
    "--pesel", "44051401359",
    "--id-type", "id_card",
    "--id-number", "ABA300000",
    "--id-issued", "2020-01-15",
    "--id-expires", "2030-01-15",
    "--email", "Jan@Example.com",
    "--phone", "600 100 200",
    "--street", "ul. Marszałkowska 1",
    "--postal-code", "00-001",
    "--city", "Warszawa",
]  # fmt: skip


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_json(*args: str):
    return json.loads(run(*args, "--json"))


def with_option(args: list[str], option: str, value: str) -> list[str]:
    args = list(args)
    args[args.index(option) + 1] = value
    return args


def test_create_an_individual_prints_json_REG_2():
    result = run_json("customer", "create", *INDIVIDUAL)

    customer = Customer.objects.get()
    assert result["id"] == customer.pk
    assert (result["email"], result["status"], result["kind"]) == (
        "jan@example.com",
        "active",
        "individual",
    )
    assert result["deposit_title"] == customer.deposit_title
    assert AuditLog.objects.get(action="customer.created").details["via"] == "cli"


def test_create_a_verified_company_REG_3():
    data = company_data()
    result = run_json(
        "customer", "create", "--kind", "company",
        "--company-name", data["company_name"],
        "--nip", data["nip"],
        "--regon", data["regon"],
        "--legal-form", "S.A.",
        "--representative", "Anna Kowalska",
        "--email", "biuro@acme.example.com",
        "--phone", "+48 501 200 300",
        "--street", "ul. Prosta 20", "--postal-code", "00850", "--city", "Warszawa",
        "--corr-street", "ul. Długa 5", "--corr-postal-code", "31-147", "--corr-city", "Kraków",
        "--verified",
    )  # fmt: skip
    customer = Customer.objects.get(pk=result["id"])
    assert (customer.legal_form, customer.status, customer.corr_country) == ("sa", "verified", "PL")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--pesel", "44051401358", "--pesel:"),
        ("--pesel", "20300101236", "--pesel:"),  # born 2020: under 18
        ("--id-expires", "2021-01-15", "--id-expires:"),
        ("--id-issued", "15.01.2020", "--id-issued:"),
        ("--id-number", "ABA300001", "--id-number:"),
        ("--email", "jan@", "--email:"),
        ("--phone", "22 123 45 67", "--phone:"),
        ("--postal-code", "0-001", "--postal-code:"),
        ("--first-name", "J4n", "--first-name:"),
        ("--kind", "person", "invalid choice"),
    ],
)
def test_bad_input_is_a_command_error_naming_the_option_and_writes_nothing(option, value, message):
    with pytest.raises(CommandError) as info:
        run("customer", "create", *with_option(INDIVIDUAL, option, value))
    assert message in str(info.value)
    assert not Customer.objects.exists() and not AuditLog.objects.exists()


def test_a_missing_field_and_a_field_of_the_other_kind_are_named():
    args = [a for a in INDIVIDUAL if a not in ("--city", "Warszawa")] + ["--nip", "1234563218"]
    with pytest.raises(CommandError) as info:
        run("customer", "create", *args)
    assert "--city:" in str(info.value) and "--nip:" in str(info.value)


def test_a_duplicate_is_refused_with_the_generic_message_REG_9():
    run("customer", "create", *INDIVIDUAL)
    with pytest.raises(CommandError) as info:
        run("customer", "create", *with_option(INDIVIDUAL, "--email", "other@example.com"))
    assert "44051401359" not in str(info.value) and "jan@example.com" not in str(info.value)
    assert Customer.objects.count() == 1


def test_add_a_bank_account_list_and_show_with_balances_BANK_1():
    customer_id = run_json("customer", "create", *INDIVIDUAL)["id"]
    account = run_json(
        "customer", "add-bank-account", "--customer", "jan@example.com",
        "--iban", IBAN_ERSTE, "--currency", "pln", "--holder", "Jan Nowak",
    )  # fmt: skip
    assert (account["bank_name"], account["currency"]) == (
        "Erste Bank Polska Spółka Akcyjna",
        "PLN",
    )
    fund(Customer.objects.get(pk=customer_id), "1250.50", "PLN")

    listed = run_json("customer", "list", "--status", "active")
    assert [c["email"] for c in listed] == ["jan@example.com"]
    shown = run_json("customer", "show", str(customer_id))
    assert shown["balances"] == [
        {"currency": "PLN", "available": "1250.50", "reserved": "0.00", "total": "1250.50"}
    ]
    assert shown["pesel"] == "44051401359" and shown["bank_accounts"][0]["iban"] == IBAN_ERSTE
    title = Customer.objects.get().deposit_title
    grouped = " ".join(title[i : i + 4] for i in range(0, len(title), 4)).lower()
    assert run_json("customer", "show", grouped)["id"] == customer_id
    text = run("customer", "show", "JAN@example.com")
    assert "PLN: available 1250.50" in text and IBAN_ERSTE in text
    assert "jan@example.com" in run("customer", "list", "--search", "Nowak")


def test_bank_account_errors_name_the_option_BANK_1():
    run("customer", "create", *INDIVIDUAL)
    with pytest.raises(CommandError) as info:
        run(
            "customer", "add-bank-account", "--customer", "jan@example.com",
            "--iban", "PL41999999990000000000000000", "--currency", "XXX", "--holder", "Jan",
        )  # fmt: skip
    assert "--iban:" in str(info.value) and "--currency:" in str(info.value)
    with pytest.raises(CommandError, match=r"no customer nobody@example\.com"):
        run(
            "customer", "add-bank-account", "--customer", "nobody@example.com",
            "--iban", IBAN_ERSTE, "--currency", "PLN", "--holder", "Jan Nowak",
        )  # fmt: skip
    assert not BankAccount.objects.exists()


def test_set_status_needs_a_reason_and_is_audited_with_the_staff_member(staff_user):
    run("customer", "create", *INDIVIDUAL)
    with pytest.raises(CommandError, match="--reason"):
        run("customer", "set-status", "jan@example.com", "suspended")
    result = run_json(
        "customer", "set-status", "jan@example.com", "suspended",
        "--reason", "documents requested", "--staff", staff_user.username,
    )  # fmt: skip
    assert result["status"] == CustomerStatus.SUSPENDED
    row = AuditLog.objects.get(action="customer.status_changed")
    assert (row.actor, row.details["via"]) == (staff_user, "cli")
    assert "now active" in run(
        "customer", "set-status", "jan@example.com", "reactivate", "--reason", "ok"
    )
    with pytest.raises(CommandError, match="--staff"):
        run(
            "customer",
            "set-status",
            "jan@example.com",
            "terminated",
            "--reason",
            "x",
            "--staff",
            "ghost",
        )


def test_apikey_create_list_and_revoke_API_2(tmp_path):
    run("customer", "create", *INDIVIDUAL)
    pem = tmp_path / "client.pub"
    pem.write_text(rsa_public_pem(2048))

    created = run_json(
        "apikey", "create", "--customer", "jan@example.com",
        "--public-key", str(pem), "--roles", "reader,market_fx", "--name", "bot",
    )  # fmt: skip
    assert created["roles"] == ["reader", "market_fx"] and created["key"].startswith(
        created["prefix"]
    )
    listed = run_json("apikey", "list", "--customer", "jan@example.com")
    assert [k["prefix"] for k in listed] == [created["prefix"]]
    assert "Revoked" in run("apikey", "revoke", created["prefix"], "--reason", "rotation")
    assert not ApiKey.objects.get().is_active
    with pytest.raises(CommandError, match="already revoked"):
        run("apikey", "revoke", str(created["id"]))


@pytest.mark.parametrize(
    ("key_text", "roles", "message"),
    [
        (None, "reader", "--public-key: cannot read"),
        ("not a key", "reader", "--public-key:"),
        (rsa_public_pem(1024), "reader", "--public-key:"),
        (rsa_public_pem(2048), "reader,god_mode", "--roles:"),
    ],
    ids=["missing file", "garbage", "1024-bit", "unknown role"],
)
def test_apikey_bad_input_is_a_command_error_API_2(tmp_path, key_text, roles, message):
    run("customer", "create", *INDIVIDUAL)
    pem = tmp_path / "client.pub"
    if key_text is not None:
        pem.write_text(key_text)
    with pytest.raises(CommandError) as info:
        run(
            "apikey",
            "create",
            "--customer",
            "jan@example.com",
            "--public-key",
            str(pem),
            "--roles",
            roles,
        )
    assert message in str(info.value)
    assert not ApiKey.objects.exists()
