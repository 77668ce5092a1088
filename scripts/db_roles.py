"""Apply scripts/db_roles.sql as the database owner (compose's `migrate` service).

    DATABASE_URL=<the owner's> APP_DB_ROLE=safeguard_app APP_DB_PASSWORD=... \
        python scripts/db_roles.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL = ROOT / "scripts" / "db_roles.sql"


def apply(cursor, *, role: str, password: str = "") -> None:
    """Run the grants for ``role`` through a DB-API cursor connected as the owner."""
    cursor.execute(
        "SELECT set_config('safeguard.app_role', %s, false),"
        " set_config('safeguard.app_password', %s, false)",
        [role, password],
    )
    cursor.execute(SQL.read_text())
    cursor.execute("SELECT set_config('safeguard.app_password', '', false)")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    role = os.environ.get("APP_DB_ROLE", "safeguard_app")
    with transaction.atomic(), connection.cursor() as cursor:
        apply(cursor, role=role, password=os.environ.get("APP_DB_PASSWORD", ""))
    print(f"Granted the application role {role!r} its privileges.")


if __name__ == "__main__":
    main()
