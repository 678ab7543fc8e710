"""The SQLite store: opening it safely, with WAL and every migration applied."""

from __future__ import annotations

import os
from pathlib import Path

from sqlite_utils import Database

from commsignal.store import migrations


def open_db(path: str | os.PathLike[str] | None) -> Database:
    """Open (creating if needed) the store with mode 0600, WAL and the schema up to date.

    Args:
        path: database file, or None for a throw-away in-memory store.

    Returns:
        The open sqlite-utils Database.
    """
    if path is None:
        db = Database(memory=True)
    else:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        if not p.exists():
            # create the file ourselves so it never exists with a wider mode, whatever the umask
            fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        db = Database(p)
        db.enable_wal()
        for suffix in ("-wal", "-shm"):
            side = Path(str(p) + suffix)
            if side.exists():
                side.chmod(0o600)
    # autocommit: a write outside db.atomic() commits at once instead of silently opening a
    # transaction that a later process exit would roll back; atomic() still BEGINs explicitly
    db.conn.isolation_level = None
    db.execute("PRAGMA synchronous=NORMAL")
    # event ids are hashes, so their index is written in random order: give it room (64 MiB)
    db.execute("PRAGMA cache_size=-65536")
    db.execute("PRAGMA busy_timeout=5000")
    migrations.apply(db)
    return db
