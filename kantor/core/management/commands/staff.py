"""``kantor staff``: staff accounts in the role groups (AML-4).

  kantor staff create anna --email anna@kantor.example --group support
  kantor staff create boss --superuser
  kantor staff list
  kantor staff roles          # what each group may do

New accounts have no usable password: set it with ``kantor changepassword USER``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kantor.core.actions import StaffError, create_staff_user
from kantor.core.audit import audit_context
from kantor.core.roles import STAFF_GROUPS


class Command(BaseCommand):
    help = "Manage staff accounts: create, list, roles."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        create = sub.add_parser("create", help="create a staff account")
        create.add_argument("username")
        create.add_argument("--email", default="")
        create.add_argument(
            "--group", action="append", default=[], choices=list(STAFF_GROUPS), help="repeatable"
        )
        create.add_argument("--superuser", action="store_true")
        sub.add_parser("list", help="staff accounts and their groups")
        sub.add_parser("roles", help="the permissions each group is granted")

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "create":
            try:
                with audit_context(via="cli"):
                    user = create_staff_user(
                        options["username"],
                        email=options["email"],
                        groups=options["group"],
                        superuser=options["superuser"],
                    )
            except StaffError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"Created staff user {user.username}; set the password with "
                f"`kantor changepassword {user.username}`"
            )
        elif subcommand == "list":
            staff = get_user_model().objects.filter(is_staff=True).order_by("username")
            for user in staff.prefetch_related("groups"):
                groups = (
                    "superuser"
                    if user.is_superuser
                    else ",".join(g.name for g in user.groups.all())
                )
                active = "" if user.is_active else " (inactive)"
                self.stdout.write(f"{user.username}  {groups or '-'}{active}")
        else:
            for group, grants in STAFF_GROUPS.items():
                self.stdout.write(f"{group}: {', '.join(grants)}")
