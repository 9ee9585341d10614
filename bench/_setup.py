"""The environment every benchmark sets before `django.setup()` (this module imports no Django):
settings module, a throwaway signing key, quiet logs; for the archiving benchmarks also queues
of their own (so a running desk's workers take none of their tasks) and a temporary archive."""

from __future__ import annotations

import os
import secrets
import tempfile


def django_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reex.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def archiving_environment(name: str) -> str:
    """`django_environment()`, the fetching and extraction queues `reex-bench-<name>[-extract]-
    <pid>`, and MEDIA_ROOT in a new temporary folder, which is returned."""
    django_environment()
    os.environ["REEX_CELERY_QUEUE"] = f"reex-bench-{name}-{os.getpid()}"
    os.environ["REEX_EXTRACT_QUEUE"] = f"reex-bench-{name}-extract-{os.getpid()}"
    media = tempfile.mkdtemp(prefix=f"reex-bench-{name}-")
    os.environ["MEDIA_ROOT"] = media
    return media
