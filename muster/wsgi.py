"""WSGI entry point for application servers: `muster.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")

application = get_wsgi_application()

# After the application, before the first request (see muster/serving.py).
from muster import serving  # noqa: E402

serving.settle()
