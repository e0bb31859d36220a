"""ASGI entry point for asynchronous servers: `muster.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")

application = get_asgi_application()

# After the application, before the first request (see muster/serving.py).
from muster import serving  # noqa: E402

serving.settle()
