"""The throwaway database every benchmark measures against (never the working one)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.test.utils import setup_test_environment


def create_throwaway_database(name: str) -> str:
    """Create and migrate `reex_bench_<name>` (PostgreSQL) or `var/bench-<name>.sqlite3`, make
    it the default connection, and return the old name for `destroy_test_db`."""
    setup_test_environment()
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})
    db["TEST"]["NAME"] = (
        str(settings.VAR_DIR / f"bench-{name}.sqlite3")
        if db["ENGINE"].endswith("sqlite3")
        else f"reex_bench_{name}"
    )
    old_name = db["NAME"]
    print(f"throwaway database: {db['TEST']['NAME']} ({connection.vendor})", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return old_name


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL naming the database `settings_dict` connects to, for the processes a
    benchmark starts (server, worker)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"
