"""WSGI entry point (gunicorn kantor.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kantor.settings")
application = get_wsgi_application()

from kantor.api.orderentry import OrderEntry  # noqa: E402 (needs Django set up)

#: Ordinary signed order requests skip Django's request cycle (kantor.api.orderentry).
application = OrderEntry(application)
