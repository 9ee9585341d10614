"""The production WSGI application with bench/api_urls.py as its URLconf (benchmark only)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reex.settings")

from django.conf import settings

settings.ROOT_URLCONF = "bench.api_urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
