"""WSGI entry point (gunicorn kantor.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kantor.settings")
application = get_wsgi_application()
