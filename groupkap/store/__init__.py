"""The session database: SQLite through sqlite-utils, with a hash-chained event log."""

from groupkap.store.store import Store, default_db_path

__all__ = ["Store", "default_db_path"]
