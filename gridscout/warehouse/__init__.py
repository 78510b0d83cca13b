"""The embedded DuckDB warehouse: connections, migrations, idempotent loads with provenance."""

from gridscout.warehouse.db import connect, migrate, open_warehouse

__all__ = ["connect", "migrate", "open_warehouse"]
