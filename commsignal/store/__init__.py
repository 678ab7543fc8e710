"""The SQLite store: opening it safely, with WAL and every migration applied."""

from __future__ import annotations

import os
from pathlib import Path

from sqlite_utils import Database

from commsignal.store import migrations
from commsignal.store.files import private_dir, private_file
from commsignal.store.tx import BUSY_TIMEOUT_MS, Store

WAL_CHECKPOINT_PAGES = 10_000
"""WAL pages written before SQLite copies them back into the database (its default is 1,000)."""


def open_db(path: str | os.PathLike[str] | None) -> Database:
    """Open (creating if needed) the store with mode 0600, WAL and the schema up to date.

    Writers take the lock up front (`Store.atomic()` is BEGIN IMMEDIATE with a busy timeout
    and bounded retries), so concurrent processes queue instead of failing.

    Args:
        path: database file, or None for a throw-away in-memory store.

    Returns:
        The open sqlite-utils Database.
    """
    if path is None:
        db: Database = Store(memory=True)
    else:
        p = Path(path)
        private_dir(p.parent)
        if not p.exists():
            # create the file ourselves so it never exists with a wider mode, whatever the umask
            # (SQLite then creates the -wal and -shm files with the database file's mode)
            try:
                fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                os.close(fd)
            except FileExistsError:  # another process created it a moment ago
                pass
        db = Store(p)
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.enable_wal()
        for suffix in ("-wal", "-shm"):
            private_file(str(p) + suffix)
    # autocommit: a write outside db.atomic() commits at once instead of silently opening a
    # transaction that a later process exit would roll back; atomic() still BEGINs explicitly
    db.conn.isolation_level = None
    db.execute("PRAGMA synchronous=NORMAL")
    # event ids are hashes, so their index is written in random order: give it room (64 MiB)
    db.execute("PRAGMA cache_size=-65536")
    # every ingest commit rewrites one (person_id, ts) index leaf per author, so the default
    # checkpoint (each 1,000 pages, i.e. after nearly every page of messages) copied the same
    # leaves into the database and synced it again and again; 10,000 pages (40 MB of WAL) copy
    # each leaf once per several commits. The WAL file keeps its size between checkpoints (no
    # journal_size_limit): cutting it back made every 100k-event login batch grow it again.
    db.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    migrations.apply(db)
    return db
