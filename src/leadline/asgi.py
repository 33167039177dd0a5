"""ASGI entry point used by `leadline serve`."""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadline.settings")
# WhiteNoise streams static files with a synchronous iterator; under ASGI Django
# buffers it in a thread and warns once per file. The files are small and cached.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
application = get_asgi_application()
