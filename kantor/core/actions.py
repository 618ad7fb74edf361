"""Staff accounts (AML-4): created into the role groups of ``kantor.core.roles``, audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from . import audit
from .roles import STAFF_GROUPS


class StaffError(ValueError):
    code = "INVALID_STAFF"


@transaction.atomic
def create_staff_user(
    username: str,
    *,
    email: str = "",
    groups: Iterable[str] = (),
    superuser: bool = False,
    acting_user=None,
):
    """A staff account in the given role groups, with an unusable password
    (set it with ``kantor changepassword``). Superusers bypass every group,
    so ``superuser`` is exclusive with ``groups``."""
    username = username.strip()
    groups = sorted({g.strip() for g in groups if g.strip()})
    if not username:
        raise StaffError("give a user name")
    unknown = [g for g in groups if g not in STAFF_GROUPS]
    if unknown:
        raise StaffError(
            f"unknown group(s) {', '.join(unknown)}; groups: {', '.join(STAFF_GROUPS)}"
        )
    if superuser == bool(groups):
        raise StaffError("give either at least one group or superuser, not both")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise StaffError(f"{email!r} is not a valid e-mail address") from None
    users = get_user_model()
    if users.objects.filter(username__iexact=username).exists():
        raise StaffError(f"user {username!r} already exists")
    user = users.objects.create_user(
        username=username, email=email, is_staff=True, is_superuser=superuser
    )
    user.groups.add(*Group.objects.filter(name__in=groups))
    audit.record(
        "staff.created",
        acting_user=acting_user,
        obj=user,
        details={"groups": groups, "superuser": superuser},
    )
    return user
