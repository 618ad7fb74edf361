"""The ``kantor`` console script: Django's management commands under one name.

``kantor customer create ...`` is ``manage.py customer create ...``; every
command lives in the app it belongs to (kantor/<app>/management/commands/).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kantor.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kantor", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":  # pragma: no cover
    main()
