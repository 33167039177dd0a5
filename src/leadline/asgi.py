"""ASGI entry point used by `leadline serve`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadline.settings")
application = get_asgi_application()
