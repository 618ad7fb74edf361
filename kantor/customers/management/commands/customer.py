"""``kantor customer``: register customers, define bank accounts, list, show, set status.

  kantor customer create --kind individual --first-name Jan --last-name Nowak \\
      --pesel 44051401359 --id-type id_card --id-number ABA300000 \\
      --id-issued 2020-01-15 --id-expires 2030-01-15 --email jan@example.com \\
      --phone 600100200 --street "ul. Marszałkowska 1" --postal-code 00-001 \\
      --city Warszawa [--verified] [--json]
  kantor customer create --kind company --company-name "ACME sp. z o.o." \\
      --nip 1234563218 --regon 123456785 --legal-form "sp. z o.o." \\
      --representative "Jan Nowak" --email biuro@acme.pl --phone 600100200 ...
  kantor customer add-bank-account --customer jan@example.com \\
      --iban PL61109010140000071219812874 --currency PLN --holder "Jan Nowak"
  kantor customer list [--kind K] [--status S] [--search TEXT] [--json]
  kantor customer show EMAIL|ID|TITLE [--json]
  kantor customer set-status EMAIL STATUS --reason "..."

The customer is named by e-mail, id or deposit title. Bad input exits
non-zero with a message naming the option; nothing is written.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser, no_translations

from kantor.customers import actions, queries
from kantor.customers.cli import (
    OPTION_FIELDS,
    acting_user,
    add_acting_user_option,
    dump_json,
    run,
)
from kantor.customers.models import CustomerKind, CustomerStatus
from kantor.domain.titles import display_title

INDIVIDUAL_OPTIONS = (
    ("first-name", "first name (REG-2)"),
    ("last-name", "last name"),
    ("pesel", "PESEL (checksum; the customer must be 18+)"),
    ("id-type", "identity document: id_card, passport or residence_card"),
    ("id-number", "identity document number"),
    ("id-issued", "identity document issue date, YYYY-MM-DD"),
    ("id-expires", "identity document expiry date, YYYY-MM-DD (not expired)"),
)
COMPANY_OPTIONS = (
    ("company-name", "company name (REG-3)"),
    ("nip", "NIP (checksum)"),
    ("regon", "REGON, 9 or 14 digits (checksum)"),
    ("legal-form", "legal form, e.g. 'sp. z o.o.', 'S.A.', 'jdg'"),
    ("representative", "the representative's first and last name"),
)
CONTACT_OPTIONS = (
    ("email", "e-mail, the login (a company: the representative's business e-mail)"),
    ("phone", "mobile phone; 9 digits are a Polish number (+48)"),
    ("street", "street and number"),
    ("postal-code", "postal code (NN-NNN in Poland)"),
    ("city", "city"),
    ("country", "country code, default PL"),
    ("corr-street", "correspondence address (optional): street"),
    ("corr-postal-code", "correspondence postal code"),
    ("corr-city", "correspondence city"),
    ("corr-country", "correspondence country code"),
)
STATUS_CHOICES = [*CustomerStatus.values, "reactivate"]


class Command(BaseCommand):
    help = "Manage customers: create, add-bank-account, list, show, set-status."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        create = sub.add_parser("create", help="register a customer (REG-1..3)")
        create.add_argument("--kind", required=True, choices=CustomerKind.values)
        for group_title, options in (
            ("individual (REG-2)", INDIVIDUAL_OPTIONS),
            ("company (REG-3)", COMPANY_OPTIONS),
            ("contact and address", CONTACT_OPTIONS),
        ):
            group = create.add_argument_group(group_title)
            for name, help_text in options:
                group.add_argument(f"--{name}", help=help_text)
        create.add_argument(
            "--verified", action="store_true", help="documents already verified by staff"
        )
        create.add_argument("--json", action="store_true", help="print the result as JSON")
        add_acting_user_option(create)

        bank = sub.add_parser("add-bank-account", help="define a customer's bank account (BANK-1)")
        bank.add_argument("--customer", required=True, help="e-mail, id or deposit title")
        bank.add_argument("--iban", required=True)
        bank.add_argument("--currency", required=True)
        bank.add_argument("--holder", required=True, help="account holder's name")
        bank.add_argument("--json", action="store_true")
        add_acting_user_option(bank)

        listing = sub.add_parser("list", help="list customers")
        listing.add_argument("--kind", choices=CustomerKind.values)
        listing.add_argument("--status", choices=CustomerStatus.values)
        listing.add_argument("--search", help="part of a name or e-mail, a PESEL, NIP or title")
        listing.add_argument("--json", action="store_true")

        show = sub.add_parser("show", help="a customer's data, balances, accounts and keys")
        show.add_argument("customer", help="e-mail, id or deposit title")
        show.add_argument("--json", action="store_true")

        status = sub.add_parser("set-status", help="verify, suspend, reactivate or terminate")
        status.add_argument("customer", help="e-mail, id or deposit title")
        status.add_argument("status", choices=STATUS_CHOICES)
        status.add_argument("--reason", required=True, help="why (kept in the audit log)")
        status.add_argument("--json", action="store_true")
        add_acting_user_option(status)

    @no_translations  # the operator's console speaks English, like the option names
    def handle(self, *args, subcommand: str, **options) -> None:
        handler = {
            "create": self.create,
            "add-bank-account": self.add_bank_account,
            "list": self.list_customers,
            "show": self.show,
            "set-status": self.set_status,
        }[subcommand]
        handler(options)

    def create(self, options: dict) -> None:
        names = [n for n, _h in INDIVIDUAL_OPTIONS + COMPANY_OPTIONS + CONTACT_OPTIONS]
        data = {"kind": options["kind"]}
        for name in names:
            dest = name.replace("-", "_")
            if options.get(dest) is not None:
                data[OPTION_FIELDS.get(dest, dest)] = options[dest]
        user = acting_user(options.get("staff"))
        customer = run(
            lambda: actions.create_customer(data, acting_user=user, verified=options["verified"])
        )
        if options["json"]:
            self.stdout.write(dump_json(queries.customer_summary(customer)))
            return
        self.stdout.write(
            f"Created customer #{customer.pk} {customer.email} ({customer.get_kind_display()}), "
            f"status {customer.status}, deposit title {display_title(customer.deposit_title)}"
        )

    def add_bank_account(self, options: dict) -> None:
        user = acting_user(options.get("staff"))

        def call():
            customer = queries.get_customer(options["customer"])
            return actions.add_bank_account(
                customer,
                options["iban"],
                options["currency"],
                options["holder"],
                acting_user=user,
            )

        account = run(call)
        if options["json"]:
            self.stdout.write(dump_json(queries.bank_account_summary(account)))
            return
        bank = f" at {account.bank_name}" if account.bank_name else ""
        self.stdout.write(
            f"Added bank account #{account.pk} {account.iban} ({account.currency}){bank}"
        )

    def list_customers(self, options: dict) -> None:
        customers = run(
            lambda: list(
                queries.search_customers(
                    kind=options["kind"], status=options["status"], search=options["search"]
                )
            )
        )
        if options["json"]:
            self.stdout.write(dump_json([queries.customer_summary(c) for c in customers]))
            return
        rows = [("ID", "KIND", "STATUS", "E-MAIL", "NAME", "DEPOSIT TITLE")]
        rows += [
            (str(c.pk), c.kind, c.status, c.email, c.display_name, c.deposit_title)
            for c in customers
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            )

    def show(self, options: dict) -> None:
        customer = run(lambda: queries.get_customer(options["customer"]))
        summary = queries.customer_summary(customer, details=True)
        if options["json"]:
            self.stdout.write(dump_json(summary))
            return
        self.stdout.write(f"#{customer.pk} {customer.display_name} <{customer.email}>")
        self.stdout.write(
            f"  kind {customer.kind}, status {customer.status}, phone {customer.phone}"
        )
        self.stdout.write(f"  deposit title {display_title(customer.deposit_title)}")
        self.stdout.write("  balances:" if summary["balances"] else "  balances: none")
        for b in summary["balances"]:
            self.stdout.write(
                f"    {b['currency']}: available {b['available']}, reserved {b['reserved']}"
            )
        for a in summary["bank_accounts"]:
            state = "verified" if a["verified"] else "not verified"
            active = "" if a["active"] else ", inactive"
            self.stdout.write(
                f"  bank account #{a['id']} {a['iban']} {a['currency']} "
                f"{a['holder_name']} ({state}{active})"
            )
        for k in summary["api_keys"]:
            state = "active" if k["active"] else "revoked"
            self.stdout.write(
                f"  API key #{k['id']} {k['prefix']}… {','.join(k['roles'])} ({state})"
            )

    def set_status(self, options: dict) -> None:
        user = acting_user(options.get("staff"))

        def call():
            customer = queries.get_customer(options["customer"])
            if options["status"] == "reactivate":
                return actions.reactivate_customer(
                    customer, acting_user=user, reason=options["reason"]
                )
            return actions.set_customer_status(
                customer, options["status"], acting_user=user, reason=options["reason"]
            )

        customer = run(call)
        if options["json"]:
            self.stdout.write(dump_json(queries.customer_summary(customer)))
            return
        self.stdout.write(f"Customer #{customer.pk} {customer.email} is now {customer.status}")
