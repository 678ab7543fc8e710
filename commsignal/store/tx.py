"""Write transactions that wait their turn: BEGIN IMMEDIATE with a busy timeout and bounded retries.

A deferred `BEGIN` that reads before it writes cannot wait for another writer: SQLite answers
`database is locked` at once, because waiting could deadlock. Taking the write lock first
(`BEGIN IMMEDIATE`) lets SQLite's busy handler queue writers instead, and a few retries on top
cover a writer that holds the lock for longer than the busy timeout (a digest, a large import).
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import time
from collections.abc import Generator

from sqlite_utils import Database

BUSY_TIMEOUT_MS = 15_000
"""How long one attempt waits for the write lock (SQLite's busy handler)."""
LOCK_ATTEMPTS = 8
"""Attempts at the write lock before giving up: about two minutes in all."""


class StoreBusyError(RuntimeError):
    """Another process kept the database's write lock for longer than every retry."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def begin_immediate(
    conn: sqlite3.Connection, attempts: int | None = None, pause: float = 0.05
) -> None:
    """Open a write transaction, waiting (busy timeout, then bounded retries) for the lock.

    Args:
        conn: a connection in autocommit mode with no transaction open.
        attempts: how many times to ask for the lock (default LOCK_ATTEMPTS).
        pause: first pause between attempts (doubles, jittered, capped at 2 s).

    Raises:
        StoreBusyError: the lock stayed taken through every attempt; says what to do.
    """
    attempts = LOCK_ATTEMPTS if attempts is None else attempts
    for attempt in range(1, attempts + 1):
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or attempt == attempts:
                if _is_busy(exc):
                    raise StoreBusyError(
                        f"the database stayed locked by another commsignal process through "
                        f"{attempts} attempts. Fix: wait for the running sync, import or digest "
                        "to finish (`commsignal status` lists runs), then run this again."
                    ) from exc
                raise
            time.sleep(min(2.0, pause * 2 ** (attempt - 1)) * (0.5 + secrets.randbelow(100) / 100))


@contextlib.contextmanager
def write_transaction(db: Database) -> Generator[Database, None, None]:
    """One write transaction (a savepoint when one is already open); commits, or rolls back on error.

    Args:
        db: the store.

    Yields:
        The same Database, holding the write lock until the block ends.
    """
    conn = db.conn
    if conn.in_transaction:
        name = f"cs_{secrets.token_hex(8)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        conn.execute(f"RELEASE SAVEPOINT {name}")
        return
    begin_immediate(conn)
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Store(Database):
    """The store's Database: every `atomic()` block (ours and sqlite-utils' own) is a write transaction."""

    @contextlib.contextmanager
    def atomic(self) -> Generator[Database, None, None]:
        """Like sqlite-utils' atomic(), but with BEGIN IMMEDIATE and bounded retries for the lock."""
        with write_transaction(self) as db:
            yield db

    def begin(self) -> None:
        """Open a write transaction by hand (BEGIN IMMEDIATE, waiting for the lock)."""
        begin_immediate(self.conn)
