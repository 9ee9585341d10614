"""The throwaway database every benchmark measures against (never the working one)."""

from __future__ import annotations

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
