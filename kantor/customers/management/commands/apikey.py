"""``kantor apikey``: a customer's API keys (API-2).

  kantor apikey create --customer jan@example.com --public-key client.pub \\
      --roles reader,market_fx [--name "trading bot"] [--json]
  kantor apikey list --customer jan@example.com [--json]
  kantor apikey revoke PREFIX_OR_ID [--reason "..."]

``--public-key`` is the customer's RSA public key in PEM (``-`` reads it
from standard input); Walutomat asks for 4096 bits, Kantor accepts 2048 and
more. ``create`` prints the key once: keep it, it is not shown here again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser, no_translations

from kantor.customers import actions, queries
from kantor.customers.cli import (
    acting_user,
    add_acting_user_option,
    dump_json,
    read_text_file,
    run,
)
from kantor.customers.models import ApiRole


class Command(BaseCommand):
    help = "Manage customers' API keys: create, list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        create = sub.add_parser("create", help="create a key for a customer")
        create.add_argument("--customer", required=True, help="e-mail, id or deposit title")
        create.add_argument(
            "--public-key", required=True, metavar="FILE", help="RSA public key, PEM (- = stdin)"
        )
        create.add_argument(
            "--roles", required=True, help=f"comma-separated: {','.join(ApiRole.values)}"
        )
        create.add_argument("--name", default="", help="a label for the customer")
        create.add_argument("--json", action="store_true")
        add_acting_user_option(create)

        listing = sub.add_parser("list", help="a customer's keys")
        listing.add_argument("--customer", required=True, help="e-mail, id or deposit title")
        listing.add_argument("--json", action="store_true")

        revoke = sub.add_parser("revoke", help="revoke a key at once")
        revoke.add_argument("key", metavar="PREFIX_OR_ID")
        revoke.add_argument("--reason", default="", help="kept in the audit log")
        revoke.add_argument("--json", action="store_true")
        add_acting_user_option(revoke)

    @no_translations  # the operator's console speaks English, like the option names
    def handle(self, *args, subcommand: str, **options) -> None:
        {"create": self.create, "list": self.list_keys, "revoke": self.revoke}[subcommand](options)

    def create(self, options: dict) -> None:
        pem = read_text_file(options["public_key"], "--public-key")
        user = acting_user(options.get("staff"))

        def call():
            customer = queries.get_customer(options["customer"])
            return actions.create_api_key(
                customer,
                public_key_pem=pem,
                roles=options["roles"],
                name=options["name"],
                acting_user=user,
            )

        api_key, key = run(call)
        if options["json"]:
            self.stdout.write(dump_json({**queries.api_key_summary(api_key), "key": key}))
            return
        self.stdout.write(f"API key #{api_key.pk} ({', '.join(api_key.roles)}):")
        self.stdout.write(key)
        self.stderr.write("Keep this key: it is not shown here again.")

    def list_keys(self, options: dict) -> None:
        customer = run(lambda: queries.get_customer(options["customer"]))
        keys = [queries.api_key_summary(k) for k in customer.api_keys.order_by("id")]
        if options["json"]:
            self.stdout.write(dump_json(keys))
            return
        if not keys:
            self.stdout.write("no API keys")
        for k in keys:
            state = "active" if k["active"] else f"revoked {k['revoked_at']:%Y-%m-%d %H:%M}"
            name = f" {k['name']!r}" if k["name"] else ""
            self.stdout.write(
                f"#{k['id']} {k['prefix']}…{name} {','.join(k['roles'])} "
                f"created {k['created_at']:%Y-%m-%d %H:%M} ({state})"
            )

    def revoke(self, options: dict) -> None:
        user = acting_user(options.get("staff"))

        def call():
            api_key = queries.get_api_key(options["key"])
            return actions.revoke_api_key(api_key, acting_user=user, reason=options["reason"])

        api_key = run(call)
        if options["json"]:
            self.stdout.write(dump_json(queries.api_key_summary(api_key)))
            return
        self.stdout.write(f"Revoked API key #{api_key.pk} {api_key.prefix}…")
